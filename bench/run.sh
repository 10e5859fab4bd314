#!/usr/bin/env bash
# `make bench`: every workload of issue 4 on a throwaway cluster, each
# contender measured in the same run, interleaved; then bench/RESULTS.md and
# bench/charts/*.png.  The targets are ratios between contenders, never
# absolute numbers: the machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/cluster.sh
# A development run may use another PostgreSQL 15 build than the system's.
PG_BINDIR=${BENCH_PG_BINDIR:-$PG_BINDIR}
source bench/lib.sh
source bench/report.sh
source bench/instructions.sh

# Scale knobs (make variables, passed through the environment).
BENCH_ROWS=${BENCH_ROWS:-1000000}         # history rows of every table
BENCH_KEYS=${BENCH_KEYS:-100000}          # keys (orders); versions = rows / keys
BENCH_MARKETS=${BENCH_MARKETS:-$((BENCH_KEYS / 100))}  # W3 reads rows/versions/markets current rows
BENCH_PARTIES=${BENCH_PARTIES:-$((BENCH_KEYS / 10))}
BENCH_PARTITIONS=${BENCH_PARTITIONS:-1 30 100}
BENCH_DURATION=${BENCH_DURATION:-3}       # seconds per pgbench run
BENCH_ROUNDS=${BENCH_ROUNDS:-3}           # interleaved rounds; the report takes medians
# W2 and W7 time statements of many seconds (the PL/pgSQL load takes over a
# minute): one round of each fits the 15-minute budget.
BENCH_BULK_ROUNDS=${BENCH_BULK_ROUNDS:-1}
BENCH_CLIENTS=${BENCH_CLIENTS:-1}         # pgbench clients of W1, W3, W4, W5
BENCH_MIXED_CLIENTS=${BENCH_MIXED_CLIENTS:-2}  # W6, W9
BENCH_HOT_KEYS=${BENCH_HOT_KEYS:-20}      # W9: keys the concurrent updates pick from
BENCH_WORKLOADS=${BENCH_WORKLOADS:-W1 W2 W3 W4 W5 W6 W7 W8 W9 CPU}
# current_view strategies that store current rows; 'view' always runs, as
# the DISTINCT ON baseline.
BENCH_STRATEGIES=${BENCH_STRATEGIES:-flag table}
BENCH_SOAK_SECONDS=${BENCH_SOAK_SECONDS:-120}  # the long soak (0: skip)
BENCH_VERSIONS=$((BENCH_ROWS / BENCH_KEYS))
# A run smaller than the full one (fewer rows, rounds, seconds or workloads)
# is a reduced run: its report keeps the last full run's figures below its
# own and its charts go to bench/charts/reduced/ (bench/report.sh).
REDUCED_RUN=false
[ "$BENCH_ROWS" -lt 1000000 ] || [ "$BENCH_KEYS" != 100000 ] || [ "$BENCH_PARTITIONS" != '1 30 100' ] ||
	[ "$BENCH_DURATION" -lt 3 ] || [ "$BENCH_ROUNDS" -lt 3 ] || [ "$BENCH_SOAK_SECONDS" -lt 120 ] ||
	[ "$BENCH_WORKLOADS" != 'W1 W2 W3 W4 W5 W6 W7 W8 W9 CPU' ] || [ "$BENCH_STRATEGIES" != 'flag table' ] &&
	REDUCED_RUN=true

read -ra STRATEGIES <<<"$BENCH_STRATEGIES"
read -ra PARTITIONS <<<"$BENCH_PARTITIONS"
# CPU cost is what is compared: no fsync wait at commit, everything in
# memory, no checkpoint or autovacuum starting in the middle of a run (each
# run starts after VACUUM and CHECKPOINT instead), and no full-page images:
# right after that CHECKPOINT they would dominate a run of seconds, whereas in
# production they are amortised over a checkpoint interval.
SETTINGS=(synchronous_commit=off full_page_writes=off shared_buffers=2GB max_wal_size=8GB
	checkpoint_timeout=1h autovacuum=off work_mem=16MB)
SCRIPTS=bench/scripts

wanted() { [[ " $BENCH_WORKLOADS " == *" $1 "* ]]; }

setup() {
	log "loading $BENCH_ROWS source rows ($BENCH_KEYS keys x $BENCH_VERSIONS versions)"
	sql -v keys="$BENCH_KEYS" -v versions="$BENCH_VERSIONS" -v markets="$BENCH_MARKETS" \
		-v parties="$BENCH_PARTIES" -f bench/sql/setup.sql -f bench/sql/report.sql \
		-f bench/baselines/plpgsql_flag.sql -f bench/baselines/hand_written.sql
	local s
	for s in "${STRATEGIES[@]}"; do
		targets_of "$s" binding
	done
	targets_of plpgsql reference
	same_work_targets
}

# Issue 13: the triggers must cost less than the same work written by hand.
same_work_targets() {
	local pmin=${PARTITIONS[0]} pmax=${PARTITIONS[-1]} s
	target W1 flag hand_flag '>=' 1.0 true 'issue 13'
	target W1 flag plpgsql '>=' 1.1 true 'issue 13'
	target W1 table hand_table '>=' 1.0 true 'issue 13'
	target W1 table periods_sv '>=' 2.0 true 'issue 13'
	target W1 plpgsql hand_flag '>=' 1.0 false ''
	for s in flag table; do
		target W2 "$s" floor '<=' 1.5 true 'issue 13'
		target W2c "$s" floor '<=' 1.5 true 'issue 13'
		target W4 "${s}_p$pmax" "${s}_p$pmin" '>=' 0.9 true 'issue 13'
		target W4 "hand_${s}_p$pmax" "hand_${s}_p$pmin" '>=' 0.9 false ''
	done
	target W2c plpgsql floor '<=' 1.5 false ''
	# Instructions and WAL: lower is better, no target, shown for information.
	local metric
	for metric in CPU WAL; do
		target "$metric" flag hand_flag '<=' 1.0 null 'same work by hand'
		target "$metric" flag plpgsql '<=' 1.0 null ''
		target "$metric" table hand_table '<=' 1.0 null 'same work by hand'
		target "$metric" table periods_sv '<=' 1.0 null ''
		target "$metric" hand_flag floor '<=' 1.0 null 'the cost of keeping current rows'
		target "$metric" hand_table floor '<=' 1.0 null 'the cost of keeping current rows'
	done
	for s in flag table hand_flag hand_table; do
		target CPU "${s}_p$pmax" "${s}_p$pmin" '<=' 1.11 null 'W4 in instructions: 1/0.9 = 1.11'
	done
}

# insert_script CONTENDER: its W1 statement (the hand-written contenders and
# periods write a version their own way; every other one inserts it).
insert_script() {
	local base=${1%_p[0-9]*}
	case $base in
	hand_flag | hand_table | periods_sv) echo "$SCRIPTS/insert_$base.sql" ;;
	*) echo "$SCRIPTS/insert.sql" ;;
	esac
}

# targets_of CONTENDER binding|reference: the issue's targets, for a
# contender that must meet them or for a baseline shown for comparison.
targets_of() {
	local c=$1 b
	[ "$2" = binding ] && b=true || b=false
	local pmin=${PARTITIONS[0]} pmax=${PARTITIONS[-1]}
	target W1 "$c" floor '>=' 0.80 "$b" 'PL/pgSQL measured 0.55x'
	target W2 "$c" floor '<=' 2.0 "$b" 'PL/pgSQL measured 6.3x'
	target W3 "$c" view '>=' 1000 "$b" ''
	target W3 "$c" latest '>=' 0.9 "$b" ''
	target W4 "${c}_p$pmax" "floor_p$pmax" '>=' 0.8 "$b" ''
	target W4 "${c}_p$pmax" "${c}_p$pmin" '>=' 0.8 "$b" 'PL/pgSQL fell to 0.14x-0.24x'
	target W5 "$c" latest '>=' 0.9 "$b" ''
	target W6 "$c" view '>=' 100 "$b" ''
	[ "$c" = plpgsql ] || target W7 "$c" load '<=' 1.0 "$b" ''
	# No issue sets a target for W9: the ratio is shown for information.
	[ "$c" = plpgsql ] || target W9 "$c" latest '>=' 0 null 'no target: an UPDATE in place is the floor'
}

# create_contenders PARTITIONS SCHEMA...: loaded contenders, each named by its
# schema (contender name, with _pN for N partitions).
create_contenders() {
	local partitions=$1
	shift
	local schema
	for schema in "$@"; do
		log "creating contender $schema"
		sql_do "SELECT bench.create_contender('$schema', '${schema%_p*}', $partitions, true)"
	done
}

drop_schemas() {
	local schema
	for schema in "$@"; do
		sql_do "DROP SCHEMA \"$schema\" CASCADE"
	done
}

# --- W1, W3, W5, W6: the same four tables (plus latest-only) ---------------

run_w1() { run_pgbench W1 "$2" "$1" "$BENCH_CLIENTS" -f "$(insert_script "$2")"; }
run_w3() { run_pgbench W3 "$2" "$1" "$BENCH_CLIENTS" -f "$SCRIPTS/market.sql"; }
run_w5() { run_pgbench W5 "$2" "$1" "$BENCH_CLIENTS" -f "$SCRIPTS/point.sql"; }
W6_SCRIPTS=(-f "$SCRIPTS/market.sql@45" -f "$SCRIPTS/point.sql@45" -f "$SCRIPTS/insert.sql@10")
run_w6() { run_pgbench W6 "$2" "$1" "$BENCH_MIXED_CLIENTS" "${W6_SCRIPTS[@]}"; }
run_w9() { run_pgbench W9 "$2" "$1" "$BENCH_MIXED_CLIENTS" -D hot="$BENCH_HOT_KEYS" -f "$SCRIPTS/update.sql"; }

single_table_workloads() {
	local readers=(view latest plpgsql "${STRATEGIES[@]}")
	# W5 reads one row by key: the PL/pgSQL table's path is flag's, skip it.
	local point_readers=(view latest "${STRATEGIES[@]}")
	local same_work=(hand_flag hand_table periods_sv)
	local writers=(floor view plpgsql "${same_work[@]}" "${STRATEGIES[@]}")
	create_contenders 0 floor view latest plpgsql "${same_work[@]}" "${STRATEGIES[@]}"
	# Instructions first, on the freshly loaded tables.
	if wanted CPU; then cpu_workloads floor plpgsql "${same_work[@]}" "${STRATEGIES[@]}"; fi
	# Reads first, while every table still holds exactly the same rows.
	if wanted W3; then
		log "W3: current rows of one market"
		describe W3 'Current rows filtered by a non-key column (market_id = ?)' \
			"$(pgbench_command "$BENCH_CLIENTS" -f "$SCRIPTS/market.sql")"
		interleave run_w3 "${readers[@]}"
	fi
	if wanted W5; then
		log "W5: point lookup of one key's current row"
		describe W5 "Point lookup of one key's current row" \
			"$(pgbench_command "$BENCH_CLIENTS" -f "$SCRIPTS/point.sql")"
		interleave run_w5 "${point_readers[@]}"
	fi
	if wanted W1; then
		log "W1: single-row version inserts"
		describe W1 'Single-row version inserts' \
			"$(pgbench_command "$BENCH_CLIENTS" -f "$SCRIPTS/insert.sql")" \
			'Each table grows by what it inserted in earlier rounds. The hand-written contenders and periods run their own statement instead of the INSERT: bench/scripts/insert_hand_flag.sql, insert_hand_table.sql, insert_periods_sv.sql.'
		interleave run_w1 "${writers[@]}"
	fi
	if wanted W6; then
		log "W6: mixed, 90% reads, 10% inserts"
		describe W6 'Mixed: 45% W3 reads, 45% W5 reads, 10% W1 inserts' \
			"$(pgbench_command "$BENCH_MIXED_CLIENTS" "${W6_SCRIPTS[*]}")" \
			'Runs after W1, on the same tables.'
		interleave run_w6 view plpgsql "${STRATEGIES[@]}"
	fi
	if wanted W9; then
		log "W9: concurrent updates through orders_current"
		describe W9 "UPDATE of a key's current row through orders_current, $BENCH_MIXED_CLIENTS clients on $BENCH_HOT_KEYS hot keys" \
			"$(pgbench_command "$BENCH_MIXED_CLIENTS" -D hot="$BENCH_HOT_KEYS" -f "$SCRIPTS/update.sql")" \
			"Runs after W6, on the same tables. current_view appends a version per UPDATE (next_version: clock_timestamp()); the latest-only table updates in place. Concurrent updates of one key wait and apply one after the other: pgbench stops at the first failed transaction, so a reported figure means none failed."
		interleave run_w9 latest "${STRATEGIES[@]}"
	fi
	drop_schemas floor view latest plpgsql "${same_work[@]}" "${STRATEGIES[@]}"
}

# --- W4: insert TPS against the number of daily partitions ----------------

run_w4() { run_pgbench W4 "$2" "$1" "$BENCH_CLIENTS" -f "$(insert_script "$2")"; }

partitioned_workload() {
	local schemas=() batch p c
	for p in "${PARTITIONS[@]}"; do
		batch=()
		for c in floor plpgsql hand_flag hand_table "${STRATEGIES[@]}"; do
			batch+=("${c}_p$p")
		done
		create_contenders "$p" "${batch[@]}"
		schemas+=("${batch[@]}")
	done
	# W4's ratios again in instructions, at the fewest and the most partitions.
	if wanted CPU; then
		local pmin=${PARTITIONS[0]} pmax=${PARTITIONS[-1]} counted=()
		for c in hand_flag hand_table "${STRATEGIES[@]}"; do
			counted+=("${c}_p$pmin" "${c}_p$pmax")
		done
		cpu_workloads "${counted[@]}"
	fi
	log "W4: single-row inserts into history partitioned by day (${PARTITIONS[*]} partitions)"
	describe W4 "Single-row version inserts, history partitioned by day" \
		"$(pgbench_command "$BENCH_CLIENTS" -f "$SCRIPTS/insert.sql")" \
		"Range partitions of 24 h on vega_time, history spread evenly, new rows go to the last partition. hand_flag's (id) WHERE current cannot be unique on a partitioned table (as current_view's); hand_table's current table is not partitioned."
	# All partition counts in the same rounds: the targets compare across them.
	interleave run_w4 "${schemas[@]}"
	drop_schemas "${schemas[@]}"
}

# --- W2, W7: timed bulk statements -----------------------------------------

# W2: INSERT ... SELECT of all source rows into an empty table that already
# carries the contender's triggers and indexes.
run_w2() {
	local round=$1 contender=$2 schema="w2_$2"
	sql_do "SELECT bench.create_contender('$schema', '$contender', 0, false)"
	# No VACUUM ANALYZE here: statistics saying "empty" would make the
	# triggers' cached plans scan the growing table (see RESULTS.md).
	sql_do CHECKPOINT
	record W2 "$contender" "$round" seconds \
		"$(time_sql "SELECT bench.load('$schema.orders', 1)")"
	sql_do "DROP SCHEMA \"$schema\" CASCADE"
}

# W2c: the same rows by COPY from a file (written once by copy_source).
COPY_COLUMNS='id, vega_time, market_id, party_id, side, price, size, remaining, status, reference'
run_w2c() {
	local round=$1 contender=$2 schema="w2_$2"
	sql_do "SELECT bench.create_contender('$schema', '$contender', 0, false)"
	sql_do CHECKPOINT
	record W2c "$contender" "$round" seconds \
		"$(time_sql "COPY $schema.orders ($COPY_COLUMNS) FROM '$CLUSTER_DIR/source.copy'")"
	sql_do "DROP SCHEMA \"$schema\" CASCADE"
}

# The rows bench.load inserts, in the same order, as a file the server reads.
copy_source() {
	sql_do "SELECT bench.create_contender('w2_file', 'floor', 0, true)"
	sql_do "COPY w2_file.orders ($COPY_COLUMNS) TO '$CLUSTER_DIR/source.copy'"
	sql_do 'DROP SCHEMA w2_file CASCADE'
}

# W7: 'load' times loading the rows into a plain table; a strategy times its
# registration (backfill included) on such a table, loaded and vacuumed.
run_w7() {
	local round=$1 contender=$2 schema=w7
	sql_do "SELECT bench.create_contender('$schema', 'floor', 0, false)"
	settle "$schema"
	if [ "$contender" = load ]; then
		record W7 load "$round" seconds "$(time_sql "SELECT bench.load('$schema.orders', 1)")"
	else
		sql_do "SELECT bench.load('$schema.orders', 1)"
		settle "$schema"
		record W7 "$contender" "$round" seconds \
			"$(time_sql "SELECT bench.install('$schema.orders', '$contender')")"
	fi
	sql_do "DROP SCHEMA \"$schema\" CASCADE"
}

bulk_workloads() {
	if wanted W2; then
		log "W2: bulk INSERT ... SELECT of $BENCH_ROWS rows"
		describe W2 "Bulk INSERT … SELECT of $BENCH_ROWS rows ($BENCH_VERSIONS versions x $BENCH_KEYS keys)" \
			"psql -c \"SELECT bench.load('w2_CONTENDER.orders', 1)\"  -- timed with \\timing" \
			'Into an empty table with the contender’s indexes and triggers; the rows come from an unlogged source table, in time order.'
		BENCH_ROUNDS=$BENCH_BULK_ROUNDS interleave run_w2 floor view plpgsql "${STRATEGIES[@]}"
		log "W2c: bulk COPY of $BENCH_ROWS rows"
		describe W2c "Bulk COPY of $BENCH_ROWS rows ($BENCH_VERSIONS versions x $BENCH_KEYS keys)" \
			"psql -c \"COPY w2_CONTENDER.orders ($COPY_COLUMNS) FROM 'source.copy'\"  -- timed with \\timing" \
			'As W2, the same rows in the same order, from a file the server reads (written by COPY from a loaded plain table). The hand-written contenders have no single COPY that does their work: they are not in W2 and W2c.'
		copy_source
		BENCH_ROUNDS=$BENCH_BULK_ROUNDS interleave run_w2c floor view plpgsql "${STRATEGIES[@]}"
		rm -f "$CLUSTER_DIR/source.copy"
	fi
	if wanted W7; then
		log "W7: registration backfill of a $BENCH_ROWS-row table"
		describe W7 "Registration backfill of a $BENCH_ROWS-row table" \
			"psql -c \"SELECT bench.load('w7.orders', 1)\" vs psql -c \"SELECT register_versioned_table('w7.orders', '{id}', '{vega_time}', strategy => S, current_indexes => '{\\\"market_id, vega_time DESC\\\"}')\"" \
			'Registration runs on the freshly loaded and vacuumed table; it adds the flag column, computes current rows, fills the heads table and builds the partial indexes.'
		BENCH_ROUNDS=$BENCH_BULK_ROUNDS interleave run_w7 load "${STRATEGIES[@]}"
	fi
}

# --- W8: search (issue 3) ---------------------------------------------------

# The 2016 search test on the 2016 data set (9 makes, 1,000 models, 13,000
# trims), bench/sql/search.sql: updates of 1 / 100 / 10,000 rows per table,
# inserts and deletes of trims, searches; each write rolled back.
BENCH_W8_VIEW_QUERIES=${BENCH_W8_VIEW_QUERIES:-20}  # of the 1,000-query series, on the view

run_w8() {
	local round=$1 schema=$2 checking=false
	[ "$round" = 1 ] && checking=true
	settle "$schema"
	local out contender ms wrong
	out=$(sql -At -c "SELECT contender, round(ms::numeric, 3), wrong FROM bench.w8_run('$schema', $round, $checking)")
	while IFS='|' read -r contender ms wrong; do
		progress W8 "$contender" "$round" "$ms ms${wrong:+, wrong search rows: $wrong}"
		if [ -n "$wrong" ] && [ "$wrong" != 0 ]; then
			printf 'W8: %s left %s wrong search rows\n' "$contender" "$wrong" >&2
			return 1
		fi
	done <<<"$out"
}

search_workload() {
	log "W8: the 2016 search test (9 makes, 1,000 models, 13,000 trims)"
	sql -v view_queries="$BENCH_W8_VIEW_QUERIES" -f bench/sql/search.sql
	local notes
	notes=$(cat <<-'EOF'
		- Contenders: **no triggers** (schema plain: documents computed at query time by a view); **current_view** (register_search_document + add_search_source, C triggers, search table); **PL/pgSQL row loop** (bench/baselines/plpgsql_search.sql: row-level triggers that, when a parent changes, loop over its children with one UPDATE per child, like the 2016 proof of concept); **by hand**: the make UPDATE, then one set-based UPDATE of its search rows from the view (issue 3's reference for the make rename); and, in schema byhand (the tables of current_view with their documents and search table, no triggers), the single trim UPDATE as one writable CTE that updates the trim, its document and its search row (issue 14's "hand-written same work").
		- Every write runs in a subtransaction that is rolled back, so every contender and round starts from the same rows. Updates of 1 / 100 / 10,000 rows where the table has them (make: 1 and all 9; model: 1, 100, 1,000); inserts and deletes of trims (1, 100, 10,000) and of certified models, which have no trims (inserts 1, 100, 1,000; deletes 1, 100, all 250). Single-row operations are repeated (3 makes, 50 models, 200 trims, each a different row) and the mean per statement is shown; the others are one statement. Times are taken inside the server (PL/pgSQL EXECUTE, clock_timestamp()), without any client round trip.
		- Searches run first in each round (after VACUUM ANALYZE), the same SQL (`websearch_to_tsquery`, `ts_rank`, top 20) over the view or the search table: simple = one word (`model17`), complex = `model17 or model42 or make3 -trim1207` (~1,500 matches ranked), series = 1,000 different one-word queries (`model1` ... `model1000`); on the view only the first BENCH_W8_VIEW_QUERIES of the series run and the total is extrapolated.
		- After every write of round 1, before its rollback: `check_search_table('maintained.vehicle_search')` = 0, and the PL/pgSQL search table equals its oracle view (the run stops otherwise).
	EOF
	)
	describe W8 'The 2016 search test: 9 makes, 1,000 models (750 new, 250 certified), 13,000 trims' \
		"psql -f bench/sql/search.sql; SELECT * FROM bench.w8_run(SCHEMA, ROUND, CHECK)  -- per contender, interleaved" \
		"${notes//BENCH_W8_VIEW_QUERIES/$BENCH_W8_VIEW_QUERIES}"
	target W8 current_view:search_simple plain:search_simple '<=' 0.01 true 'search table vs the view'
	target W8 current_view:update_trim_1 plain:update_trim_1 '<=' 1.5 true 'the 2016 proof of concept measured 7.07x'
	target W8 current_view:update_make_1 hand:update_make_1 '<=' 2.0 true 'cascade to ~1,400 search rows'
	target W8 current_view:update_trim_1 hand:update_trim_1 '<=' 1.0 true 'issue 14: the same work by hand, one writable CTE'
	target W8 plpgsql:search_simple plain:search_simple '<=' 0.01 false ''
	target W8 plpgsql:update_trim_1 plain:update_trim_1 '<=' 1.5 false ''
	target W8 plpgsql:update_make_1 hand:update_make_1 '<=' 2.0 false ''
	interleave run_w8 plain maintained plpgsql byhand
	sql_do "DROP SCHEMA plain, maintained, plpgsql, byhand CASCADE"
}

# --- Soak: the TAP soak test, longer, on its own cluster --------------------

soak() {
	local out verdict
	log "soak: 8 clients for $BENCH_SOAK_SECONDS s"
	# The soak checks notices: none of the quieting of bench/lib.sh.
	if out=$(PGOPTIONS= bash test/soak/run.sh "$BENCH_SOAK_SECONDS" 2>&1); then verdict=passed; else verdict=FAILED; fi
	printf '%s\n' "$out" | tail -12
	describe SOAK "Soak: 8 clients, out-of-order versions, updates, deletes, document updates, rebuilds; then 4 clients on a search chain (key changes, new parents, deferred foreign keys)" \
		"bash test/soak/run.sh $BENCH_SOAK_SECONDS" \
		"Result: **$verdict**.
$(printf '%s\n' "$out" | grep -E '^(ok|not ok|# soak|# search concurrent)' | sed 's/^/- /')"
}

main() {
	local started=$SECONDS
	log "current_view benchmark: rows=$BENCH_ROWS keys=$BENCH_KEYS markets=$BENCH_MARKETS partitions='${PARTITIONS[*]}' duration=${BENCH_DURATION}s rounds=$BENCH_ROUNDS clients=$BENCH_CLIENTS strategies='${STRATEGIES[*]}'"
	start_cluster "${SETTINGS[@]}"
	setup
	if wanted W1 || wanted W3 || wanted W5 || wanted W6 || wanted W9 || wanted CPU; then single_table_workloads; fi
	if wanted W4; then partitioned_workload; fi
	bulk_workloads
	if wanted W8; then search_workload; fi
	if [ "$BENCH_SOAK_SECONDS" -gt 0 ]; then soak; fi
	write_report "$((SECONDS - started))"
	stop_cluster
	log "done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s: bench/RESULTS.md, bench/charts/"
}

main
