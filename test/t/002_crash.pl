# Crash safety: stop the server in immediate mode in the middle of
# concurrent writes (and of a batched rebuild); after recovery every
# registered table and every search table is right.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_node('crash');
create_test_database($node, 'db', no_rebuild => 1);

for my $round (1 .. 2)
{
	my $run = start_writes($node, 'db', 8, 60);
	# A rebuild of the table registered without backfill runs too, in
	# small batches, and is interrupted by the crash.
	my ($rout, $rerr) = ('', '');
	my $rebuild = IPC::Run::start(
		[ 'psql', '-X', '-q', '-d', $node->connstr('db'), '-c',
		  q{CALL rebuild_versioned_table('bulk', 20)} ],
		'>', \$rout, '2>', \$rerr);
	# Crash once the rebuild has committed some batches, writers running.
	sleep 1;
	$node->poll_query_until('db', q{SELECT coalesce(sum(rows_done), 0) > 200 FROM rebuilds})
	  or die 'rebuild made no progress';
	$node->stop('immediate');
	finish_writes($run);
	$rebuild->finish;
	like($rerr, qr/rebuilding public\.bulk: \d+ rows done/, "round $round: rebuild was under way at the crash");
	$node->start;

	# The interrupted rebuild resumes from its last committed batch.
	my ($ok, $out, $err) = $node->psql('db', q{CALL rebuild_versioned_table('bulk', 5000)});
	is($ok, 0, "round $round: rebuild resumed after recovery");
	like($err, qr/resuming the rebuild of public\.bulk after key \{\d+\}/,
		"round $round: rebuild resumed from its recorded key");
	is(violations($node, 'db'), 0, "round $round: no violations after crash recovery");

	# Break the rebuilt state again for the next round.
	$node->safe_psql('db', q{
		BEGIN;
		SELECT current_view_internal._allow_flag_writes('bulk');
		UPDATE bulk SET current = false WHERE current;
		TRUNCATE bulk_heads;
		COMMIT;});
}

$node->stop;
done_testing();
