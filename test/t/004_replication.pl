# Replication, in each mode README documents ("Scaling out").
#
# One publisher database feeds two subscriber databases on another cluster:
#   sub_all      mode (a): everything published (history with its flag,
#                *_heads, current and search tables); the subscriber's
#                triggers stay ordinary, so the apply worker does not fire them;
#   sub_history  mode (b): only history and search source tables published;
#                the subscriber's current_view triggers are ENABLE ALWAYS and
#                compute the derived tables themselves (rebuilt after the
#                initial copy).
# The publisher writes out-of-order versions, deletes, writes through the
# views and TRUNCATEs; every database's current rows are then compared with a
# DISTINCT ON oracle (EXCEPT ALL both ways), with check_versioned_table and
# check_search_table, and with the publisher's.  Then a physical standby of
# the publisher is read and promoted.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->start;

# The same schema and registrations on every side: registration DDL is not
# replicated.
my $schema = q{
CREATE EXTENSION current_view;
-- 'flag', plain; DELETE through the view appends a tombstone.
CREATE TABLE prices (id int, v int, qty int NOT NULL, gone boolean NOT NULL DEFAULT false,
                     PRIMARY KEY (id, v));
SELECT register_versioned_table('prices', '{id}', '{v}', deleted_column => 'gone');
-- 'flag', partitioned by version: a new version may land in another partition.
CREATE TABLE ticks (id int, v int, note text, gone boolean NOT NULL DEFAULT false,
                    PRIMARY KEY (id, v)) PARTITION BY RANGE (v);
CREATE TABLE ticks_low PARTITION OF ticks FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE ticks_high PARTITION OF ticks FOR VALUES FROM (1000) TO (MAXVALUE);
SELECT register_versioned_table('ticks', '{id}', '{v}', deleted_column => 'gone');
-- 'flag', append-only: only the triggers update it.
CREATE TABLE ledger (id int, v int, amount numeric NOT NULL, PRIMARY KEY (id, v));
SELECT register_versioned_table('ledger', '{id}', '{v}', append_only => true);
-- 'table': current rows (tombstones included) in positions_current_rows.
CREATE TABLE positions (id int, v int, qty int NOT NULL, gone boolean NOT NULL DEFAULT false,
                        PRIMARY KEY (id, v));
SELECT register_versioned_table('positions', '{id}', '{v}', strategy => 'table',
                                deleted_column => 'gone');
-- Search: vehicles (make -> model -> trim), as in test/sql/20_search_basic.sql.
CREATE TABLE make (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES make, name text NOT NULL,
                    type text NOT NULL, year int);
CREATE TABLE trim (id int PRIMARY KEY, model_id int NOT NULL REFERENCES model ON DELETE CASCADE,
                   name text NOT NULL, tags text[]);
SELECT register_search_document('make', '{name}');
SELECT register_search_document('model', '{name,year}', '{A,B}');
SELECT register_search_document('trim', '{name,tags}');
SELECT add_search_source('vehicle_search', 'trim', '{model_id,make_id}');
SELECT add_search_source('vehicle_search', 'model', '{make_id}', $$type = 'certified'$$);
-- Its rows have no primary key (a column per chain table, NULL outside a
-- source's chain): published, its triggers' UPDATEs and DELETEs need this.
ALTER TABLE vehicle_search REPLICA IDENTITY FULL;
};

# Rows written before the subscriptions exist: the initial copy.
my $initial = q{
INSERT INTO prices (id, v, qty) SELECT i % 400, (i * 37) % 4000, i FROM generate_series(1, 4000) i;
INSERT INTO ticks (id, v, note) SELECT i % 300, (i * 53) % 1600, 'n' || i FROM generate_series(1, 3000) i
    ON CONFLICT DO NOTHING;
INSERT INTO ledger SELECT i % 200, (i * 17) % 3000, i FROM generate_series(1, 3000) i;
INSERT INTO positions (id, v, qty) SELECT i % 250, (i * 29) % 2500, i FROM generate_series(1, 2500) i;
INSERT INTO make SELECT i, 'make' || i FROM generate_series(1, 5) i;
INSERT INTO model SELECT i, 1 + i % 5, 'model' || i, CASE WHEN i % 3 = 0 THEN 'certified' ELSE 'new' END,
                         2000 + i FROM generate_series(1, 30) i;
INSERT INTO trim SELECT i, 1 + i % 30, 'trim' || i, ARRAY['t' || i % 4] FROM generate_series(1, 200) i;
};

# The publisher's writes while the subscriptions stream, one transaction per
# line, many of them multi-row.
my @writes = (
	# versions out of order, several versions of a key in one statement
	q{INSERT INTO prices (id, v, qty) SELECT i % 40, 1000 - (i * 11) % 500, -i FROM generate_series(1, 300) i
	  ON CONFLICT DO NOTHING},
	q{INSERT INTO ticks (id, v, note) SELECT i % 30, (i * 71) % 2000, 'w' || i FROM generate_series(1, 300) i
	  ON CONFLICT DO NOTHING},
	q{INSERT INTO ledger SELECT i % 20, 300 + (i * 7) % 100, i * 2 FROM generate_series(1, 100) i
	  ON CONFLICT DO NOTHING},
	q{INSERT INTO positions (id, v, qty) SELECT i % 25, 600 - (i * 13) % 300, i FROM generate_series(1, 300) i
	  ON CONFLICT DO NOTHING},
	# an older version becomes the newest, the newest becomes old
	q{UPDATE prices SET v = v + 5000 WHERE (id, v) IN (SELECT id, min(v) FROM prices WHERE id < 6 GROUP BY id)},
	q{UPDATE prices SET v = -v WHERE (id, v) IN (SELECT id, max(v) FROM prices WHERE id BETWEEN 6 AND 9 GROUP BY id)},
	q{UPDATE ticks SET v = v + 3000 WHERE (id, v) IN (SELECT id, min(v) FROM ticks WHERE id < 4 GROUP BY id)},
	q{UPDATE positions SET v = v + 5000 WHERE (id, v) IN (SELECT id, min(v) FROM positions WHERE id < 4 GROUP BY id)},
	# deletes: of current rows (the next one takes over), of every row of a key
	q{DELETE FROM prices WHERE (id, v) IN (SELECT id, max(v) FROM prices WHERE id BETWEEN 10 AND 15 GROUP BY id)},
	q{DELETE FROM prices WHERE id = 39},
	q{DELETE FROM ticks WHERE (id, v) IN (SELECT id, max(v) FROM ticks WHERE id BETWEEN 4 AND 8 GROUP BY id)},
	q{DELETE FROM ticks WHERE id = 29},
	q{DELETE FROM positions WHERE (id, v) IN (SELECT id, max(v) FROM positions WHERE id BETWEEN 4 AND 8 GROUP BY id)},
	q{DELETE FROM positions WHERE id = 24},
	# writes through the views: UPDATE appends v + 1, DELETE a tombstone, INSERT a version
	q{UPDATE prices_current SET qty = qty + 1 WHERE id % 3 = 0},
	q{UPDATE prices_current SET qty = qty * 2 WHERE id = 1},
	q{DELETE FROM prices_current WHERE id % 10 = 2},
	q{INSERT INTO prices_current (id, v, qty) VALUES (100, 1, 5), (101, 7, 6), (2, 90000, 7)},
	# ticks: v + 1 crosses from ticks_low into ticks_high for key 20
	q{INSERT INTO ticks (id, v, note) VALUES (20, 999, 'edge'), (21, 999, 'edge')
	  ON CONFLICT (id, v) DO UPDATE SET note = excluded.note},
	q{DELETE FROM ticks WHERE id IN (20, 21) AND v > 999},
	q{UPDATE ticks_current SET note = 'moved' WHERE id IN (20, 21)},
	q{UPDATE ticks_current SET note = note || '+' WHERE id % 4 = 1},
	q{DELETE FROM ticks_current WHERE id % 7 = 3},
	q{INSERT INTO ticks_current (id, v, note) VALUES (50, 5, 'via view'), (22, 9999, 'via view')},
	q{UPDATE ledger_current SET amount = amount + 1 WHERE id % 2 = 0},
	q{INSERT INTO ledger_current VALUES (3, 10000, 1)},
	q{UPDATE positions_current SET qty = qty + 100 WHERE id % 3 = 0},
	q{DELETE FROM positions_current WHERE id % 5 = 1},
	q{INSERT INTO positions_current (id, v, qty) VALUES (60, 1, 1), (9, 90000, 9)},
	# search: a parent's document, re-parenting, filter switches, cascades
	q{UPDATE make SET name = 'renamed ' || id WHERE id IN (1, 3)},
	q{UPDATE model SET type = CASE type WHEN 'new' THEN 'certified' ELSE 'new' END WHERE id % 4 = 0},
	q{UPDATE model SET make_id = 1 + make_id % 5, year = year + 1 WHERE id % 5 = 2},
	q{UPDATE trim SET model_id = 1 + model_id % 30 WHERE id % 6 = 0},
	q{DELETE FROM model WHERE id IN (7, 14)},
	q{INSERT INTO trim SELECT i, 1 + i % 30, 'late' || i, NULL FROM generate_series(201, 230) i
	  WHERE 1 + i % 30 NOT IN (7, 14)},
	# TRUNCATE empties current, heads and search rows; then new rows
	q{TRUNCATE ticks},
	q{INSERT INTO ticks (id, v, note) SELECT i % 300, (i * 37) % 1500, 'after truncate' FROM generate_series(1, 3000) i
	  ON CONFLICT DO NOTHING},
	q{TRUNCATE positions},
	q{INSERT INTO positions (id, v, qty) SELECT i % 250, 1000 - (i * 7) % 500, i FROM generate_series(1, 2500) i
	  ON CONFLICT DO NOTHING},
	q{TRUNCATE trim},
	q{INSERT INTO trim SELECT i, 1 + i % 30, 'again' || i, ARRAY['x'] FROM generate_series(1, 150) i
	  WHERE 1 + i % 30 NOT IN (7, 14)},
	q{UPDATE prices_current SET qty = 0 WHERE id = 5},
	q{DELETE FROM prices WHERE id = 6 AND NOT current});

# Each versioned table: its DISTINCT ON oracle (the live newest row of each
# key) and the columns its current view shows.
my %oracle = (
	prices => [ 'id, v, qty, gone', 'NOT gone' ],
	ticks => [ 'id, v, note, gone', 'NOT gone' ],
	ledger => [ 'id, v, amount', 'true' ],
	positions => [ 'id, v, qty, gone', 'NOT gone' ]);

# One line per database checked, printed at the end (also without prove -v).
my @summary;

# Rows compared and differences (both directions) between each current view
# and its oracle, plus the checks of the extension, in one database.
sub check_database
{
	my ($node, $db, $label) = @_;
	my ($rows, $diff, $history) = (0, 0, 0);
	foreach my $t (sort keys %oracle)
	{
		my ($cols, $live) = @{ $oracle{$t} };
		my $o = "SELECT $cols FROM (SELECT DISTINCT ON (id) $cols FROM $t ORDER BY id, v DESC) o WHERE $live";
		my ($h, $n, $missing, $extra, $check) = split /\|/, $node->safe_psql($db, qq{
			SELECT (SELECT count(*) FROM $t), (SELECT count(*) FROM ${t}_current),
			       (SELECT count(*) FROM ($o EXCEPT ALL SELECT $cols FROM ${t}_current) d),
			       (SELECT count(*) FROM (SELECT $cols FROM ${t}_current EXCEPT ALL $o) d),
			       check_versioned_table('$t')});
		is("$missing $extra", '0 0', "$label: $t current rows equal the DISTINCT ON oracle ($n rows)");
		is($check, 0, "$label: check_versioned_table('$t') = 0");
		$rows += $n;
		$history += $h;
		$diff += $missing + $extra;
	}
	my ($n, $check) = split /\|/, $node->safe_psql($db,
		q{SELECT (SELECT count(*) FROM vehicle_search), check_search_table('vehicle_search')});
	is($check, 0, "$label: check_search_table('vehicle_search') = 0 ($n rows)");
	push @summary, "$label: $rows current rows (of $history history rows) and $n search rows compared, differences: $diff";
	return $rows;
}

# Every current row and search row as one text, to compare databases.
my $contents = q{
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
    SELECT 'prices ' || t::text FROM prices_current t
    UNION ALL SELECT 'ticks ' || t::text FROM ticks_current t
    UNION ALL SELECT 'ledger ' || t::text FROM ledger_current t
    UNION ALL SELECT 'positions ' || t::text FROM positions_current t
    UNION ALL SELECT 'search ' || t::text FROM vehicle_search t) s(x)};

sub run_sql
{
	my ($node, $db, $sql, $what) = @_;
	my ($ret, $out, $err) = $node->psql($db, $sql, on_error_stop => 1);
	is($ret, 0, $what) or diag($err);
	return;
}

$pub->safe_psql('postgres', 'CREATE DATABASE src');
run_sql($pub, 'src', $schema, 'publisher: schema and registrations');
run_sql($pub, 'src', $initial, 'publisher: initial rows');

# Mode (a): every table the registrations maintain is published too (not
# the extension's registry tables: each side has its own registrations).
$pub->safe_psql('src', q{
CREATE PUBLICATION p_all FOR TABLE prices, prices_heads, ticks, ticks_heads, ledger, ledger_heads,
    positions, positions_current_rows, make, model, trim, vehicle_search});
# Mode (b): history and search source tables only.  Partitioned tables go
# through their root, so that a TRUNCATE reaches the subscriber's statement
# trigger on the root (it truncates the heads table).
$pub->safe_psql('src', q{
CREATE PUBLICATION p_history FOR TABLE prices, ticks, ledger, positions, make, model, trim
    WITH (publish_via_partition_root = true)});

my $pub_conn = $pub->connstr . ' dbname=src';
$sub->safe_psql('postgres', 'CREATE DATABASE sub_all');
run_sql($sub, 'sub_all', $schema, 'subscriber (a): schema and registrations');
$sub->safe_psql('sub_all', "CREATE SUBSCRIPTION s_all CONNECTION '$pub_conn' PUBLICATION p_all");

$sub->safe_psql('postgres', 'CREATE DATABASE sub_history');
run_sql($sub, 'sub_history', $schema, 'subscriber (b): schema and registrations');
# The README's recipe: every trigger of the extension fires in the apply
# worker too.
my $enable_always = q{
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT tg.tgrelid::regclass AS tbl, tg.tgname
        FROM pg_trigger tg
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = tg.tgfoid
                        AND d.refclassid = 'pg_extension'::regclass
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'current_view'
        JOIN pg_class c ON c.oid = tg.tgrelid AND c.relkind IN ('r', 'p')
        WHERE NOT tg.tgisinternal AND tg.tgparentid = 0
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
    END LOOP;
END
$$};
run_sql($sub, 'sub_history', $enable_always, 'subscriber (b): ENABLE ALWAYS the triggers');
like($sub->safe_psql('sub_history', q{
	SELECT count(*) FILTER (WHERE tgenabled <> 'A') || ' of ' || count(*) FROM pg_trigger
	WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relkind IN ('r', 'p'))
	  AND tgfoid IN (SELECT objid FROM pg_depend WHERE refobjid =
	      (SELECT oid FROM pg_extension WHERE extname = 'current_view'))}), qr/^0 of [1-9]\d*$/,
	'subscriber (b): every trigger of the extension, partitions included, is ENABLE ALWAYS');
$sub->safe_psql('sub_history', "CREATE SUBSCRIPTION s_history CONNECTION '$pub_conn' PUBLICATION p_history");

$sub->wait_for_subscription_sync($pub, 's_all', 'sub_all');
$sub->wait_for_subscription_sync($pub, 's_history', 'sub_history');
# The flag and 'table' triggers decide the current rows as the rows are
# copied.  Search rows are not: tables are copied in parallel, in no set
# order, and a search row copied before its parents lacks their documents
# (parents' inserts fire no search trigger).  Rebuild once the copy is done.
$sub->safe_psql('sub_history', q{CALL rebuild_search_table('vehicle_search')});

check_database($sub, 'sub_all', 'mode (a) after the initial copy');
check_database($sub, 'sub_history', 'mode (b) after the initial copy');

# A few concurrent writers too, so that transactions interleave on the
# publisher and commit in an order the subscribers must follow.
my $bench = $pub->basedir . '/writes.sql';
PostgreSQL::Test::Utils::append_to_file($bench, q{
\set key random(0, 39)
\set ver random(1, 20000)
\set op random(1, 6)
INSERT INTO prices (id, v, qty) VALUES (:key, :ver, :ver) ON CONFLICT DO NOTHING;
INSERT INTO ticks (id, v, note) VALUES (:key % 30, :ver % 3000, 'bench') ON CONFLICT DO NOTHING;
INSERT INTO positions (id, v, qty) VALUES (:key % 25, :ver, :ver) ON CONFLICT DO NOTHING;
\if :op = 1
DELETE FROM prices WHERE id = :key AND v = (SELECT max(v) FROM prices WHERE id = :key);
\elif :op = 2
UPDATE prices_current SET qty = qty + 1 WHERE id = :key;
\elif :op = 3
UPDATE ticks_current SET note = 'bench view' WHERE id = :key % 30;
\elif :op = 4
DELETE FROM positions WHERE id = :key % 25 AND v = (SELECT max(v) FROM positions WHERE id = :key % 25);
\elif :op = 5
UPDATE model SET name = 'model ' || :ver WHERE id = 1 + :key % 30;
\endif
});

sub run_bench
{
	my ($when) = @_;
	my ($out, $err) = run_command(
		[ 'pgbench', '-n', '-c', 4, '-j', 2, '-T', 3, '--max-tries=50', '-f', $bench, $pub->connstr('src') ]);
	like($out, qr/number of failed transactions: 0/,
		"publisher: 4 concurrent writers for 3 s $when, no failed transaction")
	  or diag($err);
	return;
}

foreach my $i (0 .. $#writes)
{
	run_sql($pub, 'src', $writes[$i], "publisher write " . ($i + 1));
	run_bench('amid the writes') if $i == 10;
}
run_bench('after the TRUNCATEs');

$pub->wait_for_catchup('s_all');
$pub->wait_for_catchup('s_history');
is($sub->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_subscription_stats WHERE apply_error_count > 0 OR sync_error_count > 0}),
	'0', 'no subscription has had an apply or sync error');

my $total_pub = check_database($pub, 'src', 'publisher');
my $total_a = check_database($sub, 'sub_all', 'mode (a)');
my $total_b = check_database($sub, 'sub_history', 'mode (b)');
my $src_contents = $pub->safe_psql('src', $contents);
is($sub->safe_psql('sub_all', $contents), $src_contents,
	"mode (a): current rows and search rows equal the publisher's ($total_a current rows)");
is($sub->safe_psql('sub_history', $contents), $src_contents,
	"mode (b): current rows and search rows equal the publisher's ($total_b current rows)");

# Physical standby (pg_basebackup -R): its reads equal the primary's, and
# once promoted, its triggers keep writes right.
$pub->backup('standby_backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($pub, 'standby_backup', has_streaming => 1);
$standby->start;
run_sql($pub, 'src', q{
INSERT INTO prices (id, v, qty) SELECT i % 40, 20000 - i, i FROM generate_series(1, 100) i ON CONFLICT DO NOTHING;
UPDATE ticks_current SET note = 'after backup' WHERE id % 2 = 0;
DELETE FROM positions_current WHERE id = 3;
UPDATE make SET name = 'standby ' || id WHERE id = 2}, 'primary: writes after the base backup');
$pub->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('src', $contents), $pub->safe_psql('src', $contents),
	'standby: reads of the _current views and the search table equal the primary\'s');
is($standby->safe_psql('src', q{SELECT pg_is_in_recovery()}), 't', 'standby is in recovery');
check_database($standby, 'src', 'standby');

$standby->promote;
run_sql($standby, 'src', q{
INSERT INTO prices (id, v, qty) SELECT i % 40, 30000 - (i * 7) % 500, i FROM generate_series(1, 200) i ON CONFLICT DO NOTHING;
UPDATE prices_current SET qty = qty + 1 WHERE id % 2 = 0;
DELETE FROM prices_current WHERE id = 4;
INSERT INTO ticks (id, v, note) SELECT i % 10, 2500 - i, 'promoted' FROM generate_series(1, 50) i ON CONFLICT DO NOTHING;
UPDATE ticks_current SET note = 'promoted view' WHERE id = 1;
INSERT INTO ledger_current VALUES (4, 20000, 4);
UPDATE positions_current SET qty = 0 WHERE id = 2;
INSERT INTO positions (id, v, qty) VALUES (2, 100000, 2);
UPDATE model SET name = 'promoted' WHERE id = 1;
TRUNCATE ticks;
INSERT INTO ticks (id, v, note) VALUES (1, 1, 'x'), (1, 2000, 'y'), (1, 3, 'z')},
	'promoted standby: writes through the triggers and the views');
check_database($standby, 'src', 'promoted standby');
is($standby->safe_psql('src', q{SELECT v || ' ' || note FROM ticks_current}), '2000 y',
	'promoted standby: the newest of out-of-order versions is current');

diag("replication oracle: $_") foreach @summary;
done_testing();
