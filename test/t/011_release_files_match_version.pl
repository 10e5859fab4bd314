# The release files describe the version the extension installs: META.json
# (distribution and extension) and CHANGELOG.md name current_view.control's
# default_version, and LICENSE is the licence META.json declares.
#
# The checkout is found through CURRENT_VIEW_SOURCE (for runs from a copy of
# the tests), else as the checkout this file belongs to.
use strict;
use warnings;
use FindBin;
use JSON::PP;
use Test::More;

my $source = $ENV{CURRENT_VIEW_SOURCE} || "$FindBin::RealBin/../..";

sub slurp
{
	my ($name) = @_;
	open(my $fh, '<', "$source/$name") or die "cannot read $source/$name: $!";
	local $/;
	return <$fh>;
}

my ($version) = slurp('current_view.control') =~ /^\s*default_version\s*=\s*'([^']+)'/m;
ok(defined $version, 'current_view.control has a default_version');
$version //= '';
# PGXN wants semantic versions: extension version 1.1 is 1.1.0 there.
my $semver = $version =~ /^\d+\.\d+$/ ? "$version.0" : $version;

my $meta = decode_json(slurp('META.json'));
is($meta->{version}, $semver, "META.json version is $semver");
is($meta->{provides}{current_view}{version}, $semver,
	"META.json provides current_view $semver");
is($meta->{license}, 'postgresql', 'META.json declares the PostgreSQL licence');
like(slurp('LICENSE'), qr/\APostgreSQL License\n/, 'LICENSE is the PostgreSQL Licence');
like(slurp('CHANGELOG.md'), qr/^## \[\Q$version\E\]/m, "CHANGELOG.md has a section for $version");

done_testing();
