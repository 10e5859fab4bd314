-- Review: search() tells a row's source from the search columns only.  A
-- column that the application adds to a search table (for a headline taken
-- from the search table, say, which search_headlines() supports) is no
-- search column of any source, yet rows where it is not null get a null
-- source_table and source_key.  Expected: the rows keep their source.
\set VERBOSITY terse
CREATE TABLE review_notes (id int PRIMARY KEY, body text);
INSERT INTO review_notes VALUES (1, 'alpha note'), (2, 'alpha memo');
SELECT register_search_document('review_notes', '{body}');
SELECT add_search_source('review_notes_search', 'review_notes', '{}');
SELECT source_table, source_key FROM search('review_notes_search', 'alpha') ORDER BY source_key;
ALTER TABLE review_notes_search ADD COLUMN title text;
UPDATE review_notes_search SET title = 'first' WHERE review_notes_id = 1;
SELECT source_table, source_key FROM search('review_notes_search', 'alpha') ORDER BY source_key;
SELECT source_table, source_key, headline
FROM search_headlines('review_notes_search', 'alpha', 'title') ORDER BY source_key;
SELECT drop_search_table('review_notes_search');
SELECT unregister_search_document('review_notes');
DROP TABLE review_notes;
