# Helpers of bench/run.sh (sourced): clients, measurements, interleaving.
# Expects PG_BINDIR, PGHOST, PGPORT, PGUSER, PGDATABASE and the BENCH_* knobs.

# Quiet clients: progress lines are ours, not psql's or the server's notices.
export PGOPTIONS='-c client_min_messages=warning'
sql() { "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
sql_value() { sql -At -c "$1"; }
sql_do() { sql -c "$1" >/dev/null; }

progress() { printf '    %-4s %-12s round %s: %s\n' "$@"; }

# record WORKLOAD CONTENDER ROUND METRIC VALUE
record() {
	sql_do "INSERT INTO bench.results (workload, contender, round, metric, value)
	        VALUES ('$1', '$2', $3, '$4', $5)"
	progress "$1" "$2" "$3" "$5 $4"
}

# describe WORKLOAD TITLE COMMAND [NOTES]: what the report shows for it.
describe() {
	sql -v workload="$1" -v title="$2" -v command="$3" -v notes="${4:-}" <<-'SQL'
		INSERT INTO bench.workloads VALUES (:'workload', :'title', :'command', :'notes')
		ON CONFLICT (workload) DO UPDATE SET title = excluded.title, command = excluded.command,
		                                     notes = excluded.notes;
	SQL
}

# target WORKLOAD CONTENDER REFERENCE OP THRESHOLD BINDING NOTE
target() {
	sql -v w="$1" -v c="$2" -v r="$3" -v op="$4" -v t="$5" -v b="$6" -v note="$7" <<-'SQL'
		INSERT INTO bench.targets VALUES (:'w', :'c', :'r', :'op', :t, :b, :'note');
	SQL
}

# Every measurement starts from the same state: statistics fresh, no dead
# rows left by the previous run, and no checkpoint pending.
settle() {
	local schema=$1
	sql -v schema="$schema" <<-'SQL'
		SELECT format('VACUUM (ANALYZE) %I.%I', n.nspname, c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = :'schema' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		\gexec
		CHECKPOINT;
	SQL
}

# The pgbench command line, with the contender's schema as SCHEMA.
pgbench_command() {
	local clients=$1
	shift
	printf "PGOPTIONS='-c search_path=SCHEMA' pgbench -n -M prepared -T %s -c %s -j %s -D keys=%s -D markets=%s -D parties=%s %s" \
		"$BENCH_DURATION" "$clients" "$clients" "$BENCH_KEYS" "$BENCH_MARKETS" "$BENCH_PARTIES" "$*"
}

# run_pgbench WORKLOAD SCHEMA ROUND CLIENTS SCRIPT...: one pgbench run on the
# contender living in SCHEMA (every contender has the same table and view
# names, so the same scripts reach each through search_path).
run_pgbench() {
	local workload=$1 schema=$2 round=$3 clients=$4
	shift 4
	local output tps
	settle "$schema"
	output=$(PGOPTIONS="$PGOPTIONS -c search_path=$schema" "$PG_BINDIR/pgbench" -n -M prepared \
		-T "$BENCH_DURATION" -c "$clients" -j "$clients" \
		-D keys="$BENCH_KEYS" -D markets="$BENCH_MARKETS" -D parties="$BENCH_PARTIES" "$@" 2>&1) ||
		{ printf '%s\n' "$output" >&2; return 1; }
	tps=$(awk '/^tps = / { print $3; exit }' <<<"$output")
	[ -n "$tps" ] || { printf '%s\n' "$output" >&2; return 1; }
	record "$workload" "$schema" "$round" tps "$tps"
}

# time_sql SQL: the statement's duration in seconds, as psql's \timing sees it.
time_sql() {
	sql -c '\timing on' -c "$1" | awk '/^Time: / { printf "%.3f\n", $2 / 1000 }'
}

# interleave CALLBACK CONTENDER...: BENCH_ROUNDS rounds of "CALLBACK ROUND
# CONTENDER" over all contenders, each round starting one contender later, so
# that every contender meets the machine's noise at every position.
interleave() {
	local callback=$1
	shift
	local contenders=("$@") n=$# round i
	for ((round = 1; round <= BENCH_ROUNDS; round++)); do
		for ((i = 0; i < n; i++)); do
			"$callback" "$round" "${contenders[(i + round - 1) % n]}"
		done
	done
}

# put_study FILE: replace the section of bench/RESULTS.md that FILE (a study's
# "## title" and what follows) holds, from its title to the next "## " title,
# or append it before the kept full run (or at the end) when it is new.
put_study() {
	local results=bench/RESULTS.md title
	title=$(head -n 1 "$1")
	awk -v title="$title" -v study="$1" -v kept="${KEPT_MARKER:-<!-- kept: the last full run -->}" '
		function emit(  line) { while ((getline line < study) > 0) print line; close(study); done = 1 }
		$0 == title { emit(); skipping = 1; next }
		skipping && /^## / { skipping = 0; print ""; }
		skipping && $0 == kept { skipping = 0; print "" }
		skipping { next }
		$0 == kept && !done { emit(); print "" }
		{ print }
		END { if (!done) { print ""; emit() } }
	' "$results" >"$results.new"
	mv "$results.new" "$results"
}
