# pg_dump / pg_restore round trip: registrations survive by name, restore
# gives no errors and no duplicate objects, and writes after the restore keep
# every current row and search row right.  Also the data-only restore.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('dump');
create_test_database($node, 'src');
my $run = start_writes($node, 'src', 4, 4);
my ($rc) = finish_writes($run);
is($rc, 0, 'writes before the dump');
is(violations($node, 'src'), 0, 'source healthy');

# Everything the registrations created or record, in a stable text form:
# two databases with equal summaries have the same objects, once each.
my $summary = q{
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
    SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text || ' '
           || pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index
    WHERE indrelid::regclass::text !~ '^(pg_|information_schema)'
      AND indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
    UNION ALL SELECT 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid)
    FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'column ' || attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod)
           || ' ' || attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p'))
      AND attnum > 0 AND NOT attisdropped
    UNION ALL SELECT 'registration ' || t::text FROM versioned_tables t
    UNION ALL SELECT 'document ' || d::text FROM search_documents d
    UNION ALL SELECT 'source ' || s::text FROM search_sources s
    UNION ALL SELECT 'rows ' || r.relname || ' ' || (xpath('/row/c/text()',
           query_to_xml(format('SELECT count(*) AS c, md5(string_agg(t::text, '','' ORDER BY t::text)) FROM %I t', r.relname),
                        false, true, '')))[1]::text
    FROM pg_class r WHERE r.relnamespace = 'public'::regnamespace AND r.relkind IN ('r', 'p', 'v')
) s(x)};

my $dump = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, $node->connstr('src') ], 'pg_dump');

sub restore
{
	my ($db, @options) = @_;
	my ($out, $err) = run_command(
		[ 'pg_restore', '--exit-on-error', @options, '-d', $node->connstr($db), $dump ]);
	is($err, '', join(' ', 'pg_restore', @options, "into $db: no errors"));
}

$node->safe_psql('postgres', 'CREATE DATABASE dst');
restore('dst');
is($node->safe_psql('dst', $summary), $node->safe_psql('src', $summary),
	'restored database has the same objects, registrations and rows');
is(violations($node, 'dst'), 0, 'restored database healthy');
is($node->safe_psql('dst', q{SELECT count(*) FILTER (WHERE tgparentid = 0) || ' ' || count(*) FILTER (WHERE tgparentid <> 0)
                             FROM pg_trigger WHERE tgname = 'zz_current_view_insert'}),
	'4 2', 'one insert trigger per flag table, cloned once on each partition of ticks');

$run = start_writes($node, 'dst', 4, 4);
($rc) = finish_writes($run);
is($rc, 0, 'writes after the restore');
is(violations($node, 'dst'), 0, 'current rows and search rows right after writes in the restored database');
$node->safe_psql('dst', q{CALL rebuild_versioned_table('events', 500); CALL rebuild_search_table('vehicle_search', 100)});
is(violations($node, 'dst'), 0, 'rebuilds work in the restored database');

# Data-only restore into an existing schema: with --disable-triggers the
# dumped flags and heads rows are loaded as they are.
$node->safe_psql('postgres', 'CREATE DATABASE dso');
restore('dso', '--schema-only');
restore('dso', '--data-only', '--disable-triggers');
is($node->safe_psql('dso', $summary), $node->safe_psql('src', $summary),
	'schema-only then data-only restore gives the same database');
is(violations($node, 'dso'), 0, 'data-only restore healthy');

# Without --disable-triggers the triggers fire on the restored history rows
# and collide with the dumped heads rows: the restore fails, which is why
# README says to use --disable-triggers (or to rebuild).
$node->safe_psql('postgres', 'CREATE DATABASE dsx');
restore('dsx', '--schema-only');
my ($out, $err) = run_command(
	[ 'pg_restore', '--exit-on-error', '--data-only', '-d', $node->connstr('dsx'), $dump ]);
like($err, qr/duplicate key value violates unique constraint/,
	'data-only restore with triggers enabled fails on the heads tables');

$node->stop;
done_testing();
