#!/usr/bin/env bash
# Entry point of `make test`, `make demo` and `make bench`: each is
# self-sufficient on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/cluster.sh
# A glob that matches nothing is an empty list: no tests, counted as such.
shopt -s nullglob

# The tally of `make test`: one entry per pg_regress test, isolation test and
# TAP file.  Anything that did not report a pass is a failure.
PASSED=0 FAILED=0 SKIPPED=0 PROBLEMS=()
fail() {
	FAILED=$((FAILED + 1))
	PROBLEMS+=("FAILED: $*")
}

# count_results SUITE LOG STATUS RESULTS TEST...: the result of each
# scheduled test in a pg_regress or isolation log (PostgreSQL 15's format,
# and the TAP format of 16 and later).  A test without a result line failed,
# a run that exited non-zero without reporting a failure failed, and so did a
# run with nothing scheduled.  A test that passed by printing "skipped:
# REASON" (its alternative expected output, for a missing package) is
# counted as skipped, with its reason.
count_results() {
	local suite=$1 log=$2 status=$3 results=$4 name reason before=$FAILED
	shift 4
	[ $# -gt 0 ] || { fail "$suite: no tests"; return 0; }
	for name; do
		if grep -qE "^(test +| +)$name +\.\.\. ok|^ok [0-9]+ +[-+] $name( |\$)" "$log"; then
			reason=$(sed -n 's/^skipped: //p' "$results/$name.out" 2>/dev/null | head -1)
			if [ -n "$reason" ]; then
				SKIPPED=$((SKIPPED + 1))
				PROBLEMS+=("skipped: $suite $name: $reason")
				continue
			fi
			PASSED=$((PASSED + 1))
		elif grep -qE "^(test +| +)$name +\.\.\. (FAILED|failed)|^not ok [0-9]+ +[-+] $name( |\$)" "$log"; then
			fail "$suite $name"
		else
			fail "$suite $name: no result"
		fi
	done
	[ "$status" = 0 ] || [ "$FAILED" -gt "$before" ] || fail "$suite: exited with status $status"
}

# run_installcheck SUITE DIR EXT OUTPUTDIR MAKE_ARGS...: `make installcheck`
# of one suite, counted against the tests in DIR.
run_installcheck() {
	local suite=$1 dir=$2 ext=$3 outputdir=$4 status=0 tests=() file
	shift 4
	for file in "$dir"/*"$ext"; do tests+=("$(basename "$file" "$ext")"); done
	make installcheck TAP_TESTS= "$@" 2>&1 | tee "test/$suite.log" || status=$?
	count_results "$suite" "test/$suite.log" "$status" "$outputdir/results" "${tests[@]}"
	rm -f "test/$suite.log"
}

# run_tap_tests: each TAP file on its own, as the PostgreSQL OS user, from a
# staged copy of test/.  It passed if prove says PASS; `plan skip_all` with
# a reason is a skip; no plan, no tests, a death or a non-zero exit failed,
# and so did a run in which no file passed.
run_tap_tests() {
	local dir file name status passed_before=$PASSED failed_before=$FAILED
	local files=(test/t/*.pl)
	dir=$(stage_tests tap)
	for file in "${files[@]}"; do
		name=$(basename "$file")
		status=0
		prove_staged "$dir" "t/$name" 2>&1 | tee test/prove.log || status=$?
		if [ "$status" = 0 ] && grep -q '^Result: PASS' test/prove.log; then
			PASSED=$((PASSED + 1))
		elif [ "$status" = 0 ] && grep -q '^Result: NOTESTS' test/prove.log &&
			grep -q '\.\. skipped: ' test/prove.log && ! grep -q 'skipped: (no reason given)' test/prove.log; then
			SKIPPED=$((SKIPPED + 1))
			PROBLEMS+=("skipped: TAP $name: $(sed -n 's/.*\.\. skipped: //p' test/prove.log | head -1)")
		else
			fail "TAP $name"
		fi
	done
	rm -f test/prove.log
	[ "$PASSED" -gt "$passed_before" ] || fail "TAP: no test file ran a test"
	# The server and test logs of a failed run, kept for reading.
	if [ "$FAILED" -gt "$failed_before" ] && [ -d "$dir/tmp_check/log" ]; then
		mkdir -p test/tmp_check && cp -r "$dir/tmp_check/log" test/tmp_check/
		PROBLEMS+=("TAP logs: test/tmp_check/log")
	fi
	rm -rf "$dir"
}

run_tests() {
	start_cluster
	log "pg_regress tests"
	run_installcheck pg_regress test/sql .sql test/output ISOLATION=
	log "isolation tests"
	run_installcheck isolation test/specs .spec test/output_isolation REGRESS=
	stop_cluster

	# TAP tests run their own clusters.
	log "TAP tests"
	run_tap_tests

	echo
	[ ${#PROBLEMS[@]} = 0 ] || printf '%s\n' "${PROBLEMS[@]}"
	echo "$PASSED passed, $FAILED failed$([ "$SKIPPED" = 0 ] || echo ", $SKIPPED skipped")"
	[ "$FAILED" = 0 ]
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
	ensure_packages gnuplot-nox postgresql-15-periods valgrind
	build_and_install
	bash bench/run.sh
	;;
*)
	echo "usage: $0 test|demo|bench" >&2
	exit 2
	;;
esac
