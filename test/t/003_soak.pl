# Soak: 8 pgbench clients write random out-of-order versions, updates and
# deletes on a small hot key set, updates through the views, and parent
# document updates, while a batched rebuild of a table registered without
# backfill runs; zero violations at the end.  SOAK_SECONDS sets the length (default 30).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../soak";
use CurrentViewTest;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{SOAK_SECONDS} || 30;
my $node = new_node('soak');
create_test_database($node, 'db', no_rebuild => 1);

my $run = start_writes($node, 'db', 8, $seconds);
sleep 2;
my ($ok, $out, $err) = $node->psql('db', q{CALL rebuild_versioned_table('bulk', 500)});
is($ok, 0, 'batched rebuild while 8 clients write');
like($err, qr/rebuilt public\.bulk: \d+ rows/, 'rebuild finished');
# Search rebuilds run during the writes too.
($ok, $out, $err) = $node->psql('db', q{CALL rebuild_search_table('vehicle_search', 50)});
is($ok, 0, 'batched search rebuild while 8 clients write');

my ($rc, $bench_out, $bench_err) = finish_writes($run);
is($rc, 0, 'pgbench finished') or diag($bench_err);
like($bench_out, qr/number of failed transactions: 0 /, 'no failed transactions')
  or diag($bench_out);
my ($tx) = $bench_out =~ /number of transactions actually processed: (\d+)/;
note("soak: $tx transactions in $seconds s");
cmp_ok($tx // 0, '>', 100, 'pgbench did work');
is(violations($node, 'db'), 0, 'zero violations after the soak');
my $increments = $node->safe_psql('db', 'SELECT sum(n) FROM counters_current');
note("soak: $increments increments through counters_current");
cmp_ok($increments, '>', 10, 'concurrent updates through a view were counted');

$node->stop;
done_testing();
