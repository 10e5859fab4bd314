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
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{SEARCH_SOAK_SECONDS} || 10;
my $node = PostgreSQL::Test::Cluster->new('search_concurrent');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 20\n");
$node->start;
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

# Keys of makes and models change sign (id or -id, so one row per number);
# the rows created meanwhile take numbers from the sequence.  A parent is
# looked up FOR KEY SHARE, which waits for a concurrent key change and reads
# the new key (a plain subquery would read the old one, and fail the foreign
# key).
my $script = "${PostgreSQL::Test::Utils::tmp_check}/search_writes.sql";
open my $fh, '>', $script or die "cannot write $script: $!";
print $fh <<'SQL';
\set make random(1, 5)
\set model random(1, 20)
\set trimid random(1, 200)
\set op random(0, 11)
\if :op = 0
UPDATE make SET id = -id WHERE id = :make OR id = -:make;
\elif :op = 1
UPDATE model SET id = -id WHERE id = :model OR id = -:model;
\elif :op = 2
BEGIN;
INSERT INTO make VALUES (nextval('ids'), 'new make ' || currval('ids'));
UPDATE model SET make_id = currval('ids') WHERE abs(id) = :model;
COMMIT;
\elif :op = 3
UPDATE model SET make_id = (SELECT id FROM make WHERE abs(id) = :make FOR KEY SHARE) WHERE abs(id) = :model;
\elif :op = 4
UPDATE make SET name = 'make' || :make || ' ' || :trimid WHERE abs(id) = :make;
\elif :op = 5
UPDATE model SET name = 'model' || :model || ' ' || :trimid WHERE abs(id) = :model;
\elif :op = 6
UPDATE model SET certified = NOT certified WHERE abs(id) = :model;
\elif :op = 7
UPDATE trim SET model_id = (SELECT id FROM model WHERE abs(id) = :model FOR KEY SHARE) WHERE id = :trimid;
\elif :op = 8
INSERT INTO trim SELECT :trimid, id, 'trim' || :trimid FROM model WHERE abs(id) = :model FOR KEY SHARE
ON CONFLICT (id) DO UPDATE SET name = excluded.name || ' again';
\elif :op = 9
DELETE FROM trim WHERE id = :trimid;
\elif :op = 10
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
SELECT nextval('ids') AS t, nextval('ids') AS m, nextval('ids') AS k \gset
INSERT INTO trim VALUES (:t, :m, 'early trim');
UPDATE trim SET model_id = :m WHERE id = :trimid;
INSERT INTO model VALUES (:m, :k, 'early model', :t % 2 = 0);
INSERT INTO make VALUES (:k, 'early make');
COMMIT;
\else
UPDATE trim SET name = 'trim' || :trimid || ' ' || :model WHERE id = :trimid;
\endif
SQL
close $fh;

my ($out, $err) = ('', '');
my $h = IPC::Run::start(
	[ 'pgbench', '-n', '-c', 4, '-j', 2, '-T', $seconds, '--max-tries=50', '-f', $script,
	  $node->connstr('postgres') ],
	'>', \$out, '2>', \$err);
$h->finish;
is($h->result(0), 0, 'pgbench finished') or diag($err);
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
