#!/usr/bin/env bash
# Entry point of `make test`, `make demo` and `make bench`: each is
# self-sufficient on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/cluster.sh

run_tests() {
	start_cluster
	local status=0
	log "pg_regress and isolation tests"
	# TAP tests run below, as an unprivileged OS user with their own clusters.
	make installcheck TAP_TESTS= 2>&1 | tee test/installcheck.log || status=1
	stop_cluster

	log "TAP tests"
	local tap_dir
	tap_dir=$(mktemp -d /tmp/current_view_tap.XXXXXX)
	chmod 755 "$tap_dir"
	[ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$tap_dir"
	if ls test/t/*.pl >/dev/null 2>&1; then
		(cd "$tap_dir" && as_pg_user env PATH="$PG_BINDIR:$PATH" TESTDIR="$tap_dir" \
			PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
			prove -I "$PGXS_DIR/src/test/perl" "$OLDPWD"/test/t/*.pl) 2>&1 | tee test/prove.log || status=1
	fi
	rm -rf "$tap_dir"

	local passed failed
	passed=$(grep -cE '^\s*(test )?\S+\s+\.\.\. ok' test/installcheck.log || true)
	failed=$(grep -cE '\.\.\. FAILED|\.\.\. failed' test/installcheck.log || true)
	if [ -f test/prove.log ]; then
		passed=$((passed + $(grep -cE '^t?.*\.pl \.+ ok' test/prove.log || true)))
		failed=$((failed + $(grep -cE '\.pl \.+ (Dubious|Failed|not ok)' test/prove.log || true)))
	fi
	rm -f test/installcheck.log test/prove.log
	echo
	echo "$passed passed, $failed failed"
	[ "$status" = 0 ] && [ "$failed" = 0 ]
}

case "${1:-test}" in
test)
	ensure_packages
	build_and_install
	run_tests
	;;
demo)
	ensure_packages
	build_and_install
	start_cluster synchronous_commit=off shared_buffers=512MB work_mem=64MB
	bash bench/demo.sh
	;;
bench)
	ensure_packages gnuplot-nox
	build_and_install
	bash bench/run.sh
	;;
*)
	echo "usage: $0 test|demo|bench" >&2
	exit 2
	;;
esac
