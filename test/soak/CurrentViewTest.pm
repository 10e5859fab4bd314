# Helpers shared by the TAP tests in test/t (dump/restore, crash, soak): a
# node with current_view and the shared schema, the pgbench workload, and
# the violation count.
package CurrentViewTest;

use strict;
use warnings;
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use Exporter 'import';
our @EXPORT = qw(new_node create_test_database start_writes finish_writes violations
  same_extension_objects);

my $soak_dir = dirname(__FILE__);

sub new_node
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	# Room for 8 pgbench clients plus checkers.
	$node->append_conf('postgresql.conf', "max_connections = 40\nfsync = on\n");
	$node->start;
	return $node;
}

# A database with the extension (of version $opts{version}, default the
# newest) and the shared schema; the table registered without backfill is
# rebuilt unless told otherwise.
sub create_test_database
{
	my ($node, $db, %opts) = @_;
	my $version = $opts{version} ? " VERSION '$opts{version}'" : '';
	$node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
	$node->safe_psql($db, "CREATE EXTENSION current_view$version");
	$node->command_ok(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db),
		  '-f', "$soak_dir/schema.sql" ],
		"schema loaded into $db");
	$node->safe_psql($db, q{CALL rebuild_versioned_table('bulk', 5000)})
	  unless $opts{no_rebuild};
	return;
}

# Start pgbench running the write mix (or the given script) in the
# background.  Failed transactions (40001 from rows moved across partitions
# by a concurrent UPDATE, a PostgreSQL limitation; 40P01) are retried.
sub start_writes
{
	my ($node, $db, $clients, $seconds, $script) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'pgbench', '-n', '-c', $clients, '-j', 2, '-T', $seconds, '--max-tries=50',
		  '-f', $script // "$soak_dir/writes.sql", $node->connstr($db) ],
		'>', \$out, '2>', \$err);
	return { handle => $h, out => \$out, err => \$err };
}

# Wait for pgbench; returns its exit code and output.
sub finish_writes
{
	my ($run) = @_;
	$run->{handle}->finish;
	return ($run->{handle}->result(0), ${ $run->{out} }, ${ $run->{err} });
}

sub violations
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, slurp_file("$soak_dir/violations.sql"));
}

# The extension's members with their definitions and privileges, and every
# object of the given schemas (the extension's, the internal one and those of
# the registered tables) with the registrations, one text line each.
sub extension_objects
{
	my ($node, $db, $extschema, @schemas) = @_;
	my $in = 'IN (SELECT oid FROM pg_namespace WHERE nspname IN ('
	  . join(', ', map { "'$_'" } ($extschema, 'current_view_internal', @schemas)) . '))';
	my $sql = qq{
SELECT string_agg(replace(x, E'\\n', '\\n'), E'\\n' ORDER BY x) FROM (
    SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
    FROM pg_depend
    WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
      AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'current_view')
    UNION ALL SELECT 'function ' || p.oid::regprocedure || ' ' || coalesce(array_to_string(p.proacl, ','), '')
           || E'\\n' || pg_get_functiondef(p.oid)
    FROM pg_proc p WHERE p.pronamespace $in
    UNION ALL SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' ' || c.relrowsecurity || ' '
           || coalesce(array_to_string(c.relacl, ','), '') || ' ' || coalesce(pg_get_viewdef(c.oid), '')
    FROM pg_class c WHERE c.relnamespace $in AND c.relkind IN ('r', 'p', 'v')
    UNION ALL SELECT 'column ' || attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod)
           || ' ' || attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace $in AND relkind IN ('r', 'p', 'v'))
      AND attnum > 0 AND NOT attisdropped
    UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index
    WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace $in)
    UNION ALL SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' ' || polcmd::text || ' '
           || coalesce(pg_get_expr(polqual, polrelid), '') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
    FROM pg_policy
    UNION ALL SELECT 'event trigger ' || evtname || ' ' || evtevent || ' ' || evtfoid::regprocedure || ' '
           || evtenabled::text || ' ' || coalesce(array_to_string(evttags, ','), '')
    FROM pg_event_trigger
    UNION ALL SELECT 'config ' || c::regclass || ' ' || coalesce(e.extcondition[i], '')
    FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY u(c, i) WHERE e.extname = 'current_view'
    UNION ALL SELECT 'schema ' || nspname || ' ' || coalesce(array_to_string(nspacl, ','), '')
    FROM pg_namespace WHERE nspname = 'current_view_internal'
    UNION ALL SELECT 'comment ' || pg_describe_object(classoid, objoid, objsubid) || ' ' || description
    FROM pg_description
    WHERE (classoid = 'pg_proc'::regclass AND objoid IN (SELECT oid FROM pg_proc WHERE pronamespace $in))
       OR (classoid = 'pg_class'::regclass AND objoid IN (SELECT oid FROM pg_class WHERE relnamespace $in))
       OR (classoid = 'pg_namespace'::regclass AND objoid $in)
    UNION ALL SELECT 'registration ' || t::text FROM "$extschema".versioned_tables t
    UNION ALL SELECT 'document ' || d::text FROM "$extschema".search_documents d
    UNION ALL SELECT 'source ' || s::text FROM "$extschema".search_sources s
) s(x)};
	return map { $_ => 1 } split /\n/, $node->safe_psql($db, $sql);
}

# Test that databases $a and $b hold the same extension objects (see
# extension_objects), listing the differences when they do not.
sub same_extension_objects
{
	my ($node, $a, $b, $what, $extschema, @schemas) = @_;
	my %in_a = extension_objects($node, $a, $extschema, @schemas);
	my %in_b = extension_objects($node, $b, $extschema, @schemas);
	ok(keys %in_b > 250 && $in_b{'member function current_view_internal._load_library()'},
		"the comparison sees the extension in $extschema and its internal schema ("
		  . scalar(keys %in_b) . ' objects)');
	my @differences = ((map { "only in $a: $_" } grep { !$in_b{$_} } sort keys %in_a),
		(map { "only in $b: $_" } grep { !$in_a{$_} } sort keys %in_b));
	is(scalar(@differences), 0, $what) or diag(join("\n", @differences));
	return;
}

1;
