# Every ```sql block of README.md runs as written: the blocks run in order,
# each in its own psql session, on one throwaway database, and any error
# fails the test.  A block that is deliberately not runnable is marked
# ```sql-fragment instead.
#
# README.md is found in CURRENT_VIEW_SOURCE (for runs from a copy of the
# tests), else in the checkout this file belongs to.
use strict;
use warnings;
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $readme = ($ENV{CURRENT_VIEW_SOURCE} || "$FindBin::RealBin/../..") . '/README.md';
open(my $fh, '<', $readme) or die "cannot read $readme: $!";
my @lines = <$fh>;
close $fh;

# Each block: its first line number, whether it is a marked fragment, its text.
my @blocks;
my $block;
for my $n (1 .. @lines)
{
	my $line = $lines[ $n - 1 ];
	if ($block)
	{
		if ($line =~ /^```\s*$/)
		{
			push @blocks, $block;
			undef $block;
		}
		else
		{
			$block->{sql} .= $line;
		}
	}
	elsif ($line =~ /^```sql(-fragment)?\s*$/)
	{
		$block = { line => $n, fragment => defined $1, sql => '' };
	}
}
die "$readme: unterminated ```sql block at line $block->{line}" if $block;

my @runnable = grep { !$_->{fragment} } @blocks;
# Fewer blocks than the README has today means the extraction broke.
cmp_ok(scalar @runnable, '>=', 7, "$readme has runnable sql blocks");
note(sprintf('%d sql blocks, %d marked as fragments', scalar @blocks,
		scalar @blocks - scalar @runnable));

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE readme');

for my $b (@runnable)
{
	my ($stdout, $stderr);
	my $rc = $node->psql(
		'readme', $b->{sql},
		stdout => \$stdout,
		stderr => \$stderr,
		on_error_stop => 1);
	my $first = (split /\n/, $b->{sql})[0];
	ok($rc == 0 && $stderr !~ /\b(ERROR|FATAL|PANIC)\b/,
		"README.md line $b->{line} runs without error: $first")
	  or diag("psql exit code $rc\n$stderr");
}

$node->stop;
done_testing();
