#!/usr/bin/env bash
# Long soak for `make bench`: the soak TAP test (test/t/003_soak.pl) for
# SOAK_SECONDS seconds (default 600) on its own throwaway cluster.
# Usage: bash test/soak/run.sh [seconds]; needs the extension installed and
# PostgreSQL 15's bin directory first in PATH (as test/run.sh arranges).
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/cluster.sh
seconds=${1:-${SOAK_SECONDS:-600}}
dir=$(mktemp -d /tmp/current_view_soak.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$dir"
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && as_pg_user env PATH="$PG_BINDIR:$PATH" SOAK_SECONDS="$seconds" \
	PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
	prove -v -I "$PGXS_DIR/src/test/perl" "$OLDPWD/test/t/003_soak.pl")
