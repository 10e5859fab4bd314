# The CPU and WAL workloads of `make bench` (sourced by bench/run.sh): what one
# single-row insert costs each contender, in instructions (deterministic,
# unlike TPS on a shared machine) and in WAL bytes.
#
# Each contender's W1 statement (bench/scripts/insert*.sql, its pgbench
# variables turned into expressions of the key $1) is prepared in a
# single-user backend (`postgres --single`) run under callgrind, started on a
# fresh copy of the cluster's data directory, taken once with the cluster
# stopped: every run starts from the same bytes on disk.  One run executes
# it N times, another 0 times; (Ir(N) - Ir(0)) / N is what N inserts cost
# beyond start-up, parsing, planning and shut-down.  Both runs execute it once
# before counting, so that the caches (relation, plan, catalog) are warm.  The
# N run also reads pg_current_wal_insert_lsn() before and after the N inserts.

BENCH_CPU_INSERTS=${BENCH_CPU_INSERTS:-1000}  # N: executions counted per contender

# cpu_statement SCRIPT: the script's SQL statement with the pgbench variables
# replaced by deterministic expressions of $1 (the key).
cpu_statement() {
	grep -v -e '^--' -e '^\\set' "$1" | tr '\n' ' ' | sed -e 's/; *$//' \
		-e "s/:market_id\b/(\$1 % $BENCH_MARKETS)/g" -e "s/:party_id\b/(\$1 % $BENCH_PARTIES)/g" \
		-e 's/:side\b/(1 + $1 % 2)/g' -e 's/:price\b/(1000 + $1 * 7919 % 100000)/g' -e 's/:id\b/$1/g'
}

# cpu_input SCHEMA N: the single-user backend's input, one statement a line.
# Keys 7919 apart (a prime): N different keys, in no index's order.
cpu_input() {
	local schema=$1 n=$2 i
	echo "SET search_path = \"$schema\""
	echo "PREPARE p(bigint) AS $(cpu_statement "$(insert_script "$schema")")"
	echo "EXECUTE p(1)"
	echo "SELECT 'lsn ' || pg_current_wal_insert_lsn()"
	for ((i = 1; i <= n; i++)); do
		echo "EXECUTE p($((i * 7919 % BENCH_KEYS + 1)))"
	done
	echo "SELECT 'lsn ' || pg_current_wal_insert_lsn()"
}

# lsn_bytes X/Y: the LSN as a byte position.
lsn_bytes() { echo $(((16#${1%/*} << 32) + 16#${1#*/})); }

# cpu_run SCHEMA N: runs the backend on a fresh copy; prints "Ir WALBYTES".
cpu_run() {
	local schema=$1 n=$2 dir=$CLUSTER_DIR/cpu
	rm -rf "$dir/data"
	cp -a "$dir/pristine" "$dir/data"
	cpu_input "$schema" "$n" >"$dir/in.sql"
	local setting opts=()
	for setting in "${SETTINGS[@]}"; do opts+=(-c "$setting"); done
	as_pg_user valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
		"$PG_BINDIR/postgres" --single -D "$dir/data" "${opts[@]}" postgres \
		<"$dir/in.sql" >"$dir/out.log" 2>&1 ||
		{ tail -20 "$dir/out.log" >&2; return 1; }
	if grep -q ERROR "$dir/out.log"; then
		grep -m3 ERROR "$dir/out.log" >&2
		return 1
	fi
	local lsns ir
	mapfile -t lsns < <(grep -o 'lsn [0-9A-F]*/[0-9A-F]*' "$dir/out.log" | cut -d' ' -f2)
	ir=$(awk '/^summary:/ { print $2 }' "$dir/callgrind.out")
	[ ${#lsns[@]} = 2 ] && [ -n "$ir" ] || { tail -20 "$dir/out.log" >&2; return 1; }
	echo "$ir $(($(lsn_bytes "${lsns[1]}") - $(lsn_bytes "${lsns[0]}")))"
}

# cpu_workloads SCHEMA...: the CPU and WAL figures of the contenders living
# in these schemas, loaded and settled.  Stops the cluster meanwhile.
cpu_workloads() {
	local schemas=("$@") schema dir=$CLUSTER_DIR/cpu n=$BENCH_CPU_INSERTS
	log "CPU, WAL: instructions (callgrind) and WAL bytes per single-row insert, $n inserts"
	describe CPU 'Instructions per single-row insert (callgrind, deterministic)' \
		"bench/instructions.sh: valgrind --tool=callgrind postgres --single, $n vs 0 prepared EXECUTEs of the W1 statement" \
		"(Ir($n) - Ir(0)) / $n, each run on a fresh copy of the data directory taken after loading (bench/instructions.sh). One run per contender: the count does not depend on the machine's load. Lower is better."
	describe WAL 'WAL bytes per single-row insert' \
		"pg_current_wal_insert_lsn() before and after $n prepared EXECUTEs of the W1 statement, in the CPU runs" \
		'Commit records included; full_page_writes=off as in every run. Lower is better.'
	for schema in "${schemas[@]}"; do settle "$schema"; done
	as_pg_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$dir"
	cp -a "$CLUSTER_DIR/data" "$dir/pristine"
	local results=() zero full
	for schema in "${schemas[@]}"; do
		zero=$(cpu_run "$schema" 0)
		full=$(cpu_run "$schema" "$n")
		results+=("$schema $(((${full% *} - ${zero% *}) / n)) $((${full#* } / n))")
		progress CPU "$schema" 1 "$(((${full% *} - ${zero% *}) / n)) instructions, $((${full#* } / n)) WAL bytes per insert"
	done
	rm -rf "$dir"
	# pg_ctl restart starts a stopped server with the options it last had.
	as_pg_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w restart >/dev/null 2>&1
	local line ir wal
	for line in "${results[@]}"; do
		read -r schema ir wal <<<"$line"
		record CPU "$schema" 1 instructions "$ir" >/dev/null
		record WAL "$schema" 1 wal_bytes "$wal" >/dev/null
	done
}
