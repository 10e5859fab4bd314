# sql/replay.awk builds the second half of the upgrade script: every CREATE
# FUNCTION, PROCEDURE and VIEW statement of the install script parts, as
# CREATE OR REPLACE.  A statement it cuts short breaks ALTER EXTENSION UPDATE;
# one it skips silently keeps the previous version's definition in every
# updated database.  This test splits the parts with a tokenizer that knows
# PostgreSQL's quoting (strings, quoted identifiers, comments, dollar quotes
# with any tag) and checks that the replay holds each such statement whole,
# once, and nothing else; then the same for statements written in forms the
# parts do not use today, which the replay must either copy or refuse.
# No server needed.
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use Test::More;

my $src = $ENV{CURRENT_VIEW_SOURCE} || "$FindBin::RealBin/../..";
plan skip_all => "sql/replay.awk not found under $src (run from the checkout)"
  unless -f "$src/sql/replay.awk";

# The statements of SQL text, each without the comments and blank lines
# before it; psql meta-commands (\echo ... \quit) are dropped.
sub statements
{
	my ($sql) = @_;
	$sql =~ s/^\\[^\n]*\n//mg;
	my @out;
	my $cur = '';
	while (length $sql)
	{
		if ($sql =~ s/^(--[^\n]*)//) { $cur .= $1; }
		elsif ($sql =~ s{^(/\*.*?\*/)}{}s) { $cur .= $1; }
		elsif ($sql =~ s/^([Ee]'(?:[^'\\]|\\.|'')*')//s) { $cur .= $1; }
		elsif ($sql =~ s/^('(?:[^']|'')*')//s) { $cur .= $1; }
		elsif ($sql =~ s/^("(?:[^"]|"")*")//s) { $cur .= $1; }
		elsif ($sql =~ s/^((\$(?:[A-Za-z_\x80-\xff][A-Za-z_0-9\x80-\xff]*)?\$).*?\2)//s) { $cur .= $1; }
		elsif ($sql =~ s/^;//) { push @out, $cur . ';'; $cur = ''; }
		elsif ($sql =~ s/^([A-Za-z_0-9]+|\s+|.)//s) { $cur .= $1; }
	}
	push @out, $cur if $cur =~ /\S/;
	for (@out)
	{
		1 while s{^\s*(?:--[^\n]*|/\*.*?\*/)}{}s;
		s/^\s+//;
	}
	return grep { length } @out;
}

sub replayable
{
	return grep { /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|VIEW)\b/i } @_;
}

sub as_replayed
{
	my ($stmt) = @_;
	$stmt =~ s/^CREATE\s+(?:OR\s+REPLACE\s+)?/CREATE OR REPLACE /i;
	return $stmt;
}

sub run_awk
{
	my @files = @_;
	my $out = `awk -f '$src/sql/replay.awk' @files 2>&1`;
	return ($? >> 8, $out);
}

sub slurp
{
	my ($f) = @_;
	open my $fh, '<', $f or die "$f: $!";
	local $/;
	return <$fh>;
}

# The parts of today's install script.
my @parts = sort glob("$src/sql/[0-9]*.sql");
ok(@parts >= 5, 'install script parts found (' . scalar(@parts) . ')');
my @expected = map { as_replayed($_) } replayable(map { statements(slurp($_)) } @parts);
my ($rc, $out) = run_awk(@parts);
is($rc, 0, 'replay.awk succeeds on the install script parts');
my @got = statements($out);
is(scalar(@got), scalar(@expected),
	'replay has one statement per CREATE FUNCTION/PROCEDURE/VIEW of the parts (' . scalar(@expected) . ')');
is_deeply(\@got, \@expected, 'each replayed statement is the whole statement of the parts, in order');

# Forms the parts may use tomorrow.  Each must come out whole, or replay.awk
# must fail (so that make fails) instead of leaving the statement out or
# cutting it short.
my $dir = tempdir(CLEANUP => 1);
my %cases = (
	'dollar tag with a digit' => q{
CREATE FUNCTION s.f1() RETURNS int LANGUAGE plpgsql AS $q1$
BEGIN
    PERFORM 1;
    RETURN 1;
END
$q1$;
},
	'lower-case keywords' => q{
create function s.f2() returns int language sql as $$ select 2 $$;
},
	'already CREATE OR REPLACE' => q{
CREATE OR REPLACE FUNCTION s.f3() RETURNS int LANGUAGE sql AS $$ SELECT 3 $$;
},
	'two spaces after CREATE' => q{
CREATE  FUNCTION s.f4() RETURNS int LANGUAGE sql AS $$ SELECT 4 $$;
},
	'comment ending in ; before the body' => q{
CREATE FUNCTION s.f5(a int) RETURNS int
-- returns a; never null;
LANGUAGE sql AS $$ SELECT a $$;
},
	'dollar sign pair inside a string, then other statements' => q{
CREATE VIEW s.v AS SELECT 'price in $US$' AS c;
GRANT SELECT ON s.v TO PUBLIC;
CREATE TABLE s.t (a int);
CREATE FUNCTION s.f6() RETURNS int LANGUAGE sql AS $$ SELECT 6 $$;
},
);
for my $name (sort keys %cases)
{
	my $file = "$dir/case.sql";
	open my $fh, '>', $file or die;
	print $fh $cases{$name};
	close $fh;
	my @want = map { as_replayed($_) } replayable(statements($cases{$name}));
	my ($crc, $cout) = run_awk($file);
	ok($crc != 0 || join("\n", statements($cout)) eq join("\n", @want),
		"$name: replayed whole or refused")
	  or diag("replay.awk printed:\n$cout");
}

done_testing();
