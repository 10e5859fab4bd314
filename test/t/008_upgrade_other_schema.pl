# Version 1.0 created in a schema of its own (not public, not on anyone's
# search_path), registrations by a non-superuser owner for tables in two
# schemas, every call qualified and search_path empty: writes keep working
# across ALTER EXTENSION UPDATE, and the update gives the objects a fresh
# install in that schema with the same registrations gives.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('other_schema');

sub setup
{
	my ($s) = @_;
	return qq{
CREATE TABLE $s.ev (id int NOT NULL, v int NOT NULL, payload text);
INSERT INTO $s.ev SELECT i % 10, i, 'p' || i FROM generate_series(1, 100) i;
SELECT cv.register_versioned_table('$s.ev', '{id}', '{v}', next_version => '{v + 1}');
CREATE TABLE $s.pos (id int NOT NULL, ts int NOT NULL, qty int, gone boolean NOT NULL DEFAULT false);
INSERT INTO $s.pos SELECT i % 10, i, i, false FROM generate_series(1, 100) i;
SELECT cv.register_versioned_table('$s.pos', '{id}', '{ts}', strategy => 'table',
                                   deleted_column => 'gone', next_version => '{ts + 1}');
CREATE TABLE $s.q (sym text NOT NULL, v int NOT NULL, px numeric);
INSERT INTO $s.q SELECT 's' || (i % 5), i, i FROM generate_series(1, 50) i;
SELECT cv.register_versioned_table('$s.q', '{sym}', '{v}', strategy => 'view');
CREATE TABLE $s.make (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE $s.model (id int PRIMARY KEY, make_id int NOT NULL REFERENCES $s.make, name text NOT NULL);
INSERT INTO $s.make SELECT i, 'make' || i FROM generate_series(1, 5) i;
INSERT INTO $s.model SELECT i, 1 + i % 5, 'model' || i FROM generate_series(1, 20) i;
SELECT cv.register_search_document('$s.make', '{name}');
SELECT cv.register_search_document('$s.model', '{name}');
SELECT cv.add_search_source('$s.vs', '$s.model', '{make_id}');
};
}

# Writes along every path, then the check functions and a search: all zero
# but the hit count.
sub writes
{
	my ($s, $r) = @_;
	return qq{
INSERT INTO $s.ev VALUES (1, 1000 * $r, 'new'), (1, 5, 'old');
UPDATE $s.ev_current SET payload = 'via view' WHERE id = 2;
DELETE FROM $s.ev WHERE id = 3 AND v = (SELECT max(v) FROM $s.ev WHERE id = 3);
INSERT INTO $s.pos VALUES (1, 1000 * $r, 7);
UPDATE $s.pos_current SET qty = -1 WHERE id = 2;
DELETE FROM $s.pos_current WHERE id = 4;
SELECT $s.pos_revert(5, 5);
SELECT $s.ev_revert(6, 6);
INSERT INTO $s.q VALUES ('s1', 1000 * $r, 1);
UPDATE $s.make SET name = 'toyota $r' WHERE id = 1;
INSERT INTO $s.model VALUES (100 + $r, 1, 'hybrid');
SELECT cv.check_versioned_table('$s.ev') + cv.check_versioned_table('$s.pos')
       + cv.check_versioned_table('$s.q') + cv.check_search_table('$s.vs')
       || ' ' || (SELECT count(*) FROM cv.search('$s.vs', 'toyota'));
};
}

sub as_alice
{
	my ($db, $sql) = @_;
	return $node->safe_psql($db, "SET search_path = ''; SET ROLE alice;\n$sql");
}

$node->safe_psql('postgres', 'CREATE ROLE alice');
for my $db ('upgraded', 'fresh')
{
	my $version = $db eq 'upgraded' ? " VERSION '1.0'" : '';
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, qq{
		CREATE SCHEMA cv;
		CREATE EXTENSION current_view SCHEMA cv$version;
		GRANT USAGE ON SCHEMA cv TO PUBLIC;
		CREATE SCHEMA app AUTHORIZATION alice;
		CREATE SCHEMA app2 AUTHORIZATION alice;
		ALTER DATABASE $db SET search_path = '';
	});
	as_alice($db, setup($_)) for qw(app app2);
}

for my $s (qw(app app2))
{
	like(as_alice('upgraded', writes($s, 1)), qr/^0 [1-9][0-9]*$/m, "1.0: writes to $s keep current and search rows right");
}
$node->safe_psql('upgraded', 'ALTER EXTENSION current_view UPDATE');
is($node->safe_psql('upgraded', q{SELECT extversion || ' ' || extnamespace::regnamespace FROM pg_extension WHERE extname = 'current_view'}),
	'1.2 cv', 'updated to 1.2, still in cv');
for my $s (qw(app app2))
{
	like(as_alice('upgraded', writes($s, 2)), qr/^0 [1-9][0-9]*$/m, "after the update: writes to $s keep current and search rows right");
	like(as_alice('fresh', writes($s, 2)), qr/^0 [1-9][0-9]*$/m, "fresh install in cv: writes to $s keep current and search rows right");
}

same_extension_objects($node, 'upgraded', 'fresh',
	'updated extension in cv and its generated objects equal a fresh install in cv', 'cv', 'app', 'app2');

$node->stop;
done_testing();
