# pg_repack of registered tables ('flag' plain and partitioned, with its
# heads table, 'table' and its current table) while writers run: pg_repack copies the rows into a new
# table, replays the changes made meanwhile and swaps the files, keeping the
# table's OID.  Afterwards, and after more writes, every current row equals
# the DISTINCT ON oracle and check_versioned_table reports 0.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'pg_repack is not installed (Debian package postgresql-15-repack)'
  unless IPC::Run::run([ 'pg_repack', '--version' ], '>', \my $version, '2>', \my $verr);

my $node = PostgreSQL::Test::Cluster->new('repack');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 20\n");
$node->start;
plan skip_all => 'the pg_repack extension is not installed (Debian package postgresql-15-repack)'
  unless $node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_repack'}) == 1;

$node->safe_psql('postgres', q{
	CREATE EXTENSION current_view;
	CREATE EXTENSION pg_repack;
	CREATE TABLE rp_flag (id int, v int, x text, PRIMARY KEY (id, v));
	CREATE TABLE rp_part (id int, v int, x text, PRIMARY KEY (id, v)) PARTITION BY RANGE (v);
	CREATE TABLE rp_part_1 PARTITION OF rp_part FOR VALUES FROM (MINVALUE) TO (50000);
	CREATE TABLE rp_part_2 PARTITION OF rp_part FOR VALUES FROM (50000) TO (MAXVALUE);
	CREATE TABLE rp_table (id int, v int, x text, PRIMARY KEY (id, v));
	INSERT INTO rp_flag SELECT i % 200, i * 5, 'x' || i FROM generate_series(1, 20000) i;
	INSERT INTO rp_part SELECT * FROM rp_flag;
	INSERT INTO rp_table SELECT * FROM rp_flag;
	SELECT register_versioned_table('rp_flag', '{id}', '{v}');
	SELECT register_versioned_table('rp_part', '{id}', '{v}');
	SELECT register_versioned_table('rp_table', '{id}', '{v}', strategy => 'table');
	DELETE FROM rp_flag WHERE v % 3 = 0;
	DELETE FROM rp_part WHERE v % 3 = 0;
	DELETE FROM rp_table WHERE v % 3 = 0;});

# Wrong keys of each table: the symmetric difference with the DISTINCT ON
# oracle (EXCEPT ALL both ways), plus check_versioned_table.
sub wrong
{
	my ($tbl) = @_;
	return $node->safe_psql('postgres', qq{
		WITH o AS (SELECT DISTINCT ON (id) id, v, x FROM $tbl ORDER BY id, v DESC),
		     s AS (SELECT id, v, x FROM ${tbl}_current)
		SELECT (SELECT count(*) FROM (TABLE o EXCEPT ALL TABLE s) a)
		     + (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE o) b)
		     + check_versioned_table('$tbl')});
}

# Random versions (new keys, newer, older), deletes of the current row and
# updates of a version, on every table, from 4 clients.
my $script = "${PostgreSQL::Test::Utils::tmp_check}/repack_writes.sql";
open my $fh, '>', $script or die "cannot write $script: $!";
print $fh <<'SQL';
\set key random(0, 249)
\set ver random(1, 200000)
\set op random(1, 4)
INSERT INTO rp_flag VALUES (:key, :ver, 'w') ON CONFLICT DO NOTHING;
INSERT INTO rp_part VALUES (:key, :ver, 'w') ON CONFLICT DO NOTHING;
INSERT INTO rp_table VALUES (:key, :ver, 'w') ON CONFLICT DO NOTHING;
\if :op = 1
DELETE FROM rp_flag WHERE id = :key AND v = (SELECT max(v) FROM rp_flag WHERE id = :key);
DELETE FROM rp_part WHERE id = :key AND v = (SELECT max(v) FROM rp_part WHERE id = :key);
DELETE FROM rp_table WHERE id = :key AND v = (SELECT max(v) FROM rp_table WHERE id = :key);
\elif :op = 2
UPDATE rp_flag SET x = 'u' WHERE id = :key AND v = (SELECT min(v) FROM rp_flag WHERE id = :key);
UPDATE rp_table SET x = 'u' WHERE id = :key AND v = (SELECT max(v) FROM rp_table WHERE id = :key);
\endif
SQL
close $fh;

my ($wout, $werr) = ('', '');
my $writers = IPC::Run::start(
	[ 'pgbench', '-n', '-c', 4, '-j', 2, '-T', 12, '--max-tries=50', '-f', $script,
	  $node->connstr('postgres') ],
	'>', \$wout, '2>', \$werr);
sleep 1;
for my $target ([ '-t', 'rp_flag' ], [ '-I', 'rp_part' ], [ '-t', 'rp_part_heads' ],
	[ '-t', 'rp_table' ], [ '-t', 'rp_table_current' ])
{
	my ($ok, $out, $err) = (0, '', '');
	$ok = IPC::Run::run(
		[ 'pg_repack', '-d', 'postgres', '-h', $node->host, '-p', $node->port, @$target ],
		'>', \$out, '2>', \$err);
	ok($ok, "pg_repack @$target while writers run") or diag($err);
	like($out . $err, qr/repacking table "public\.\Q$target->[1]\E/, "pg_repack @$target repacked it");
}
$writers->finish;
is($writers->result(0), 0, 'writers ran without errors') or diag($werr);
like($wout, qr/number of transactions actually processed: [1-9]/, 'writers wrote during the repacks');

for my $tbl (qw(rp_flag rp_part rp_table))
{
	is(wrong($tbl), 0, "$tbl: current rows right after pg_repack");
}

# Writes after the repack: newer and older versions, a delete of the
# current row, a version update and an update through the view.
for my $tbl (qw(rp_flag rp_part rp_table))
{
	$node->safe_psql('postgres', qq{
		INSERT INTO $tbl VALUES (1, 500000, 'newer'), (2, 0, 'older'), (300, 1, 'new key');
		DELETE FROM $tbl WHERE id = 3 AND v = (SELECT max(v) FROM $tbl WHERE id = 3);
		UPDATE $tbl SET v = 600000 WHERE id = 4 AND v = (SELECT min(v) FROM $tbl WHERE id = 4);
		UPDATE ${tbl}_current SET x = 'through view', v = 700000 WHERE id = 5;});
	is(wrong($tbl), 0, "$tbl: current rows right after writes that follow the repack");
	is($node->safe_psql('postgres', qq{SELECT x FROM ${tbl}_current WHERE id = 5}),
		'through view', "$tbl: update through the view after the repack");
}

$node->stop;
done_testing();
