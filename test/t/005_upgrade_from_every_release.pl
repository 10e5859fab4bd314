# A database populated under each released version (1.0, 1.1) keeps working
# with this build's library, and ALTER EXTENSION current_view UPDATE gives the same extension,
# and the same generated triggers, views, indexes and functions, as a fresh
# install of the newest version with the same registrations.  Every write
# path is checked before and after the update.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use PostgreSQL::Test::Utils;
use Test::More;

# What the shared schema lacks: strategies 'table' and 'view', a flag table
# with writable-view options, and a second search document.
my $extra = q{
CREATE TABLE positions (id int NOT NULL, ts int NOT NULL, qty int, gone boolean NOT NULL DEFAULT false);
INSERT INTO positions SELECT i % 30, i, i * 10, false FROM generate_series(1, 600) i;
SELECT register_versioned_table('positions', '{id}', '{ts}', strategy => 'table',
                                deleted_column => 'gone', next_version => '{ts + 1}',
                                current_indexes => '{qty}');
CREATE TABLE quotes (sym text NOT NULL, v int NOT NULL, px numeric);
INSERT INTO quotes SELECT 's' || (i % 20), i, i FROM generate_series(1, 400) i;
SELECT register_versioned_table('quotes', '{sym}', '{v}', strategy => 'view');
CREATE TABLE stock (id int NOT NULL, v int NOT NULL, qty int, PRIMARY KEY (id, v));
INSERT INTO stock SELECT i % 10, i, i FROM generate_series(1, 100) i;
SELECT register_versioned_table('stock', '{id}', '{v}', next_version => '{v + 1}');
};

# Writes along every path, each followed by the same checks; versions are
# offset by $round so that the writes can be repeated.
sub writes
{
	my ($round) = @_;
	my $b = 100000 * $round;
	return qq{
INSERT INTO positions VALUES (1, $b + 10000, 1), (1, $b + 5, 2), (2, $b + 10001, 3);
UPDATE positions_current SET qty = qty + 1 WHERE id = 3;
DELETE FROM positions_current WHERE id = 4;
SELECT positions_revert(5, 5);
INSERT INTO quotes VALUES ('s1', $b + 10000, 1), ('s1', $b + 3, 2);
DELETE FROM quotes WHERE sym = 's2' AND v = (SELECT max(v) FROM quotes WHERE sym = 's2');
INSERT INTO stock VALUES (1, $b + 1000, 1), (1, $b + 3, 2);
UPDATE stock_current SET qty = qty * 2 WHERE id = 2;
SELECT stock_revert(4, 4);
UPDATE stock SET v = v + 5000 WHERE id = 5 AND v = (SELECT min(v) FROM stock WHERE id = 5);
DELETE FROM stock WHERE id = 6 AND v = (SELECT max(v) FROM stock WHERE id = 6);
INSERT INTO events (id, v, payload, account) VALUES (7, $b + 100000, 'x', 1), (7, 3, 'y', 2);
UPDATE ticks_current SET note = 'via view' WHERE id = 8;
INSERT INTO ticks VALUES (9, 999, 'moved'), (9, 1, 'old');
UPDATE counters_current SET n = n + 1 WHERE id = 1;
UPDATE make SET name = 'renamed make $round' WHERE id = 1;
UPDATE model SET make_id = 2 + $round WHERE id = 3;
INSERT INTO trim VALUES ($b + 10000, 4, 'new trim');
DELETE FROM trim WHERE id = 5 + $round;
};
}

# Current rows against their DISTINCT ON oracle (EXCEPT ALL both ways), for
# the tables the shared violation count does not compare row by row.
my $oracle = q{
SELECT (SELECT count(*) FROM ((SELECT id, ts, qty FROM positions_current
                               EXCEPT ALL SELECT id, ts, qty FROM positions_oracle)
                              UNION ALL (SELECT id, ts, qty FROM positions_oracle
                               EXCEPT ALL SELECT id, ts, qty FROM positions_current)) d)
     + (SELECT count(*) FROM ((SELECT * FROM quotes_current EXCEPT ALL SELECT * FROM quotes_oracle)
                              UNION ALL (SELECT * FROM quotes_oracle EXCEPT ALL SELECT * FROM quotes_current)) d)
     + (SELECT count(*) FROM ((SELECT * FROM stock_current EXCEPT ALL SELECT * FROM stock_oracle)
                              UNION ALL (SELECT * FROM stock_oracle EXCEPT ALL SELECT * FROM stock_current)) d)
};
my $oracle_views = q{
CREATE VIEW positions_oracle AS SELECT * FROM (SELECT DISTINCT ON (id) * FROM positions ORDER BY id, ts DESC) o WHERE NOT gone;
CREATE VIEW quotes_oracle AS SELECT DISTINCT ON (sym) * FROM quotes ORDER BY sym, v DESC;
CREATE VIEW stock_oracle AS SELECT DISTINCT ON (id) id, v, qty FROM stock ORDER BY id, v DESC;
};

sub healthy
{
	my ($node, $db, $when) = @_;
	is(violations($node, $db), 0, "$when: shared tables and search table right");
	is($node->safe_psql($db, $oracle), 0, "$when: 'table', 'view' and writable 'flag' equal their oracles");
}

sub pgbench_writes
{
	my ($node, $db, $when) = @_;
	my ($rc, $out, $err) = finish_writes(start_writes($node, $db, 2, 2));
	is($rc, 0, "$when: concurrent writes succeed") or diag($err);
}

my $node = new_node('upgrade');
my ($newest) = slurp_file(($ENV{CURRENT_VIEW_SOURCE} || "$FindBin::RealBin/../..") . "/current_view.control")
	=~ /^\s*default_version\s*=\s*'([^']+)'/m;

create_test_database($node, 'fresh');
$node->safe_psql('fresh', $extra . $oracle_views);

# Every released version, populated under it, then updated along the chain
# of upgrade scripts to the newest.
foreach my $from ('1.0', '1.1')
{
	my $db = 'upgraded_' . ($from =~ s/\./_/r);

	create_test_database($node, $db, version => $from);
	is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'current_view'}),
		$from, "version $from installed with the new library");
	$node->safe_psql($db, $extra . $oracle_views);
	healthy($node, $db, "$from after registration");
	$node->safe_psql($db, writes(1));
	pgbench_writes($node, $db, $from);
	healthy($node, $db, "$from after writes");

	$node->safe_psql($db, 'ALTER EXTENSION current_view UPDATE');
	is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'current_view'}),
		$newest, "updated from $from to $newest");
	healthy($node, $db, "$from: right after the update");
	$node->safe_psql($db, writes(2));
	pgbench_writes($node, $db, "$from: after the update");
	$node->safe_psql($db, q{
		CALL rebuild_versioned_table('events', 500);
		CALL rebuild_search_table('vehicle_search', 100);
		SELECT unregister_versioned_table('quotes');
		SELECT register_versioned_table('quotes', '{sym}', '{v}', strategy => 'view');
	});
	healthy($node, $db, "$from: after the update, writes and rebuilds");
	is($node->safe_psql($db, q{
		SELECT count(*) FROM (SELECT * FROM positions_as_of(5000)
		                      EXCEPT ALL
		                      SELECT * FROM (SELECT DISTINCT ON (id) * FROM positions WHERE ts <= 5000
		                                     ORDER BY id, ts DESC) o WHERE NOT gone) d}),
		0, "$from: as-of query after the update");

	same_extension_objects($node, $db, 'fresh',
		"updated from $from: extension and generated objects equal a fresh install", 'public');
}

done_testing();
