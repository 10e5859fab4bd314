# Search rows under concurrent writers: 4 pgbench clients on a small hot
# vehicle chain (make -> model -> trim, certified models a source of their
# own) change parents' keys (ON UPDATE CASCADE), move models to makes they
# create, write trims of those models, rename, re-parent, switch the filter,
# delete, and write children before their parents with deferred foreign
# keys.  At the end the search table equals an oracle recomputed from the
# source columns and check_search_table is 0.  SEARCH_SOAK_SECONDS sets the
# length (default 10).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{SEARCH_SOAK_SECONDS} || 10;
my $node = new_node('search_concurrent');
$node->safe_psql('postgres', q{
	CREATE EXTENSION current_view;
	CREATE SEQUENCE ids START 1000;
	CREATE TABLE make (id int PRIMARY KEY, name text);
	CREATE TABLE model (id int PRIMARY KEY,
	                    make_id int NOT NULL REFERENCES make ON UPDATE CASCADE DEFERRABLE,
	                    name text, certified boolean NOT NULL DEFAULT false);
	CREATE TABLE trim (id int PRIMARY KEY,
	                   model_id int NOT NULL REFERENCES model ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE,
	                   name text);
	CREATE INDEX ON model (make_id);
	CREATE INDEX ON trim (model_id);
	INSERT INTO make SELECT i, 'make' || i FROM generate_series(1, 5) i;
	INSERT INTO model SELECT i, 1 + i % 5, 'model' || i, i % 3 = 0 FROM generate_series(1, 20) i;
	INSERT INTO trim SELECT i, 1 + i % 20, 'trim' || i FROM generate_series(1, 200) i;
	SELECT register_search_document('make', '{name}');
	SELECT register_search_document('model', '{name}');
	SELECT register_search_document('trim', '{name}');
	SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
	SELECT add_search_source('vehicle_search', 'model', '{make_id}', 'certified');});

my $script = "$FindBin::RealBin/../soak/search_writes.sql";

my ($rc, $out, $err) = finish_writes(start_writes($node, 'postgres', 4, $seconds, $script));
is($rc, 0, 'pgbench finished') or diag($err);
like($out, qr/number of failed transactions: 0 /, 'no failed transactions') or diag($out);
my ($tx) = $out =~ /number of transactions actually processed: (\d+)/;
my ($retried) = $out =~ /number of transactions retried: (\d+)/;
cmp_ok($tx // 0, '>', 100, 'pgbench did work');

my $wrong = $node->safe_psql('postgres', q{
	WITH want AS (
	    SELECT t.id AS trim_id, m.id AS model_id, k.id AS make_id,
	           setweight(to_tsvector(t.name), 'A') || setweight(to_tsvector(m.name), 'B')
	           || setweight(to_tsvector(k.name), 'C') AS document
	    FROM trim t JOIN model m ON m.id = t.model_id JOIN make k ON k.id = m.make_id
	    UNION ALL
	    SELECT NULL, m.id, k.id, setweight(to_tsvector(m.name), 'A') || setweight(to_tsvector(k.name), 'B')
	    FROM model m JOIN make k ON k.id = m.make_id WHERE m.certified),
	have AS (SELECT trim_id, model_id, make_id, document FROM vehicle_search)
	SELECT count(*) FROM ((TABLE want EXCEPT ALL TABLE have) UNION ALL (TABLE have EXCEPT ALL TABLE want)) d});
is($wrong, 0, 'search rows equal the oracle recomputed from the source columns');
is($node->safe_psql('postgres', q{SELECT check_search_table('vehicle_search')}), 0,
	'check_search_table is 0');
my $rows = $node->safe_psql('postgres', q{SELECT count(*) FROM vehicle_search});
note("search concurrent: $tx transactions ("
	  . ($retried // 0) . " retried after a deadlock) from 4 clients in $seconds s, $rows search rows, $wrong wrong");

$node->stop;
done_testing();
