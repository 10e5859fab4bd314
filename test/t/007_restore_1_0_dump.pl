# A dump of a database at version 1.0, restored where this build is
# installed.  pg_dump writes CREATE EXTENSION without a version, so a plain
# restore installs the newest version and then fails on every 1.0 name the
# dump holds (registry tables, trigger functions, _load_library in views).
# What works: create the extension at 1.0 in the empty database first,
# restore, then ALTER EXTENSION UPDATE.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('restore10');
create_test_database($node, 'src', version => '1.0');
my ($rc, $out, $err) = finish_writes(start_writes($node, 'src', 2, 2));
is($rc, 0, 'writes under 1.0') or diag($err);
is(violations($node, 'src'), 0, 'source at 1.0 healthy');

my $dump = $node->basedir . '/src10.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, $node->connstr('src') ], 'pg_dump of the 1.0 database');

# Plain restore: the newest version is created, and the 1.0 names fail.
$node->safe_psql('postgres', 'CREATE DATABASE plain');
($out, $err) = run_command([ 'pg_restore', '-d', $node->connstr('plain'), $dump ]);
like($err, qr/relation "public\.versioned_table_registry" does not exist/,
	'plain restore of a 1.0 dump fails on the 1.0 registry names');
is($node->safe_psql('plain', q{SELECT extversion FROM pg_extension WHERE extname = 'current_view'}),
	'1.2', 'because the plain restore created the newest version');

# The procedure: 1.0 first, restore, update.
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->safe_psql('dst', q{CREATE EXTENSION current_view VERSION '1.0'});
($out, $err) = run_command([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ]);
is($err, '', 'restore into a database with the extension created at 1.0: no errors');
is(violations($node, 'dst'), 0, 'restored 1.0 database healthy');
$node->safe_psql('dst', 'ALTER EXTENSION current_view UPDATE');
is($node->safe_psql('dst', q{SELECT extversion FROM pg_extension WHERE extname = 'current_view'}),
	'1.2', 'restored database updated');
is(violations($node, 'dst'), 0, 'healthy right after the update');
($rc, $out, $err) = finish_writes(start_writes($node, 'dst', 2, 2));
is($rc, 0, 'writes after restore and update') or diag($err);
$node->safe_psql('dst', q{CALL rebuild_versioned_table('events', 500); CALL rebuild_search_table('vehicle_search', 100)});
is(violations($node, 'dst'), 0, 'healthy after writes and rebuilds');

$node->stop;
done_testing();
