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
our @EXPORT = qw(new_node create_test_database start_writes finish_writes violations);

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

# Start pgbench running the write mix in the background.  Failed
# transactions (40001 from rows moved across partitions by a concurrent
# UPDATE, a PostgreSQL limitation) are retried.
sub start_writes
{
	my ($node, $db, $clients, $seconds) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'pgbench', '-n', '-c', $clients, '-j', 2, '-T', $seconds, '--max-tries=50',
		  '-f', "$soak_dir/writes.sql", $node->connstr($db) ],
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

1;
