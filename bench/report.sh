# bench/RESULTS.md and bench/charts/*.png from the bench.results of the
# running cluster (sourced by bench/run.sh).

RESULTS=bench/RESULTS.md
CHARTS=bench/charts
# Where RESULTS.md of a reduced run starts the full run it keeps.
KEPT_MARKER='<!-- kept: the last full run -->'

# md QUERY: the rows of a query, one Markdown line each.
md() { sql -At -c "$1"; }

machine_section() {
	local cpu mem
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	cat <<-EOF
		- Command: \`${BENCH_COMMAND:-make bench}\` (bench/run.sh), knobs: BENCH_ROWS=$BENCH_ROWS BENCH_KEYS=$BENCH_KEYS
		  BENCH_MARKETS=$BENCH_MARKETS BENCH_PARTIES=$BENCH_PARTIES BENCH_PARTITIONS="$BENCH_PARTITIONS"
		  BENCH_DURATION=$BENCH_DURATION BENCH_ROUNDS=$BENCH_ROUNDS BENCH_BULK_ROUNDS=$BENCH_BULK_ROUNDS BENCH_CLIENTS=$BENCH_CLIENTS
		  BENCH_MIXED_CLIENTS=$BENCH_MIXED_CLIENTS BENCH_STRATEGIES="$BENCH_STRATEGIES" BENCH_CPU_INSERTS=$BENCH_CPU_INSERTS BENCH_SOAK_SECONDS=$BENCH_SOAK_SECONDS
		  BENCH_WORKLOADS="$BENCH_WORKLOADS"
		- Date: $(md "SELECT to_char(min(at), 'YYYY-MM-DD HH24:MI TZ') FROM bench.results"), whole run $(($1 / 60)) min $(($1 % 60)) s
		- Machine: $(nproc) cores ($cpu), $mem RAM, $(uname -sr); shared with other work, hence ratios only
		  (load average when the report was written, 1/5/15 min: $(cut -d' ' -f1-3 /proc/loadavg))
		- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)
		- PostgreSQL: $(md 'SELECT version()')
		- Settings (all that differ from the defaults):
		  $(md "SELECT string_agg(format('%s=%s%s', name, setting, coalesce(unit, '')), ', ' ORDER BY name)
		        FROM pg_settings WHERE source NOT IN ('default', 'override', 'client')
		          AND name NOT IN ('unix_socket_directories', 'port', 'listen_addresses', 'lc_messages',
		                           'lc_monetary', 'lc_numeric', 'lc_time', 'log_timezone', 'TimeZone',
		                           'DateStyle', 'default_text_search_config')")
	EOF
}

method_section() {
	cat <<-'EOF'
		## Method

		- Every contender is built from the same source rows (keys x versions, in time order; version
		  column `vega_time timestamptz`, key `id bigint`), each in its own schema with the same table
		  (`orders`) and view (`orders_current`) names, so that the same pgbench scripts
		  (`bench/scripts/`) reach each through `search_path`.
		- Every history table has the primary key `(id, vega_time)`, as a real history table has.
		  - **floor**: that table alone, no trigger.
		  - **latest-only table**: only the current rows, primary key `(id)` and an index on
		    `(market_id, vega_time DESC)`.
		  - **DISTINCT ON view**: `register_versioned_table(..., strategy => 'view')`: the view
		    `SELECT DISTINCT ON (id) ... ORDER BY id, vega_time DESC`, no trigger.
		  - **PL/pgSQL flag trigger** (`bench/baselines/plpgsql_flag.sql`): Vega's BEFORE INSERT
		    trigger, partial indexes `(id) WHERE current` and `(market_id, vega_time DESC) WHERE current`.
		  - **current_view 'flag'**: `register_versioned_table(..., current_indexes =>
		    '{"market_id, vega_time DESC"}')`: C triggers, a heads table, partial indexes
		    `(id) WHERE current` (unique on a plain table) and `(market_id, vega_time DESC) WHERE current`.
		  - **current_view 'table'**: the same registration with strategy 'table': C triggers keep
		    `orders_current` (primary key `(id)`, index `(market_id, vega_time DESC)`).
		  - **hand-written 'flag' work** (`bench/baselines/hand_written.sql`,
		    `bench/scripts/insert_hand_flag.sql`): the indexes of the registered 'flag' table, no
		    trigger, no heads table; a new version is one statement, `WITH d AS (UPDATE orders SET
		    current = false WHERE id = $1 AND current RETURNING 1) INSERT INTO orders SELECT ..., true
		    FROM (SELECT count(*) FROM d) AS demoted` (reading the CTE runs the demotion first).
		  - **hand-written 'table' work** (`bench/scripts/insert_hand_table.sql`): the tables and
		    indexes of the registered 'table' table, no trigger; `WITH h AS (INSERT INTO orders ...
		    RETURNING *) INSERT INTO orders_current SELECT * FROM h ON CONFLICT (id) DO UPDATE SET ...
		    WHERE orders_current.vega_time <= EXCLUDED.vega_time`.
		  - **periods system versioning** (extension periods, `bench/scripts/insert_periods_sv.sql`):
		    one row per key (primary key `(id)`, index `(market_id, vega_time DESC)`); a new version is
		    an `UPDATE` of it and periods' trigger copies the old row to `orders_history` (index `(id,
		    vega_time)`), what a user would pick instead of strategy 'table'. In W1 only.
		- CPU and WAL (`bench/instructions.sh`): each contender's W1 statement prepared in a
		  single-user backend under `valgrind --tool=callgrind`, on a fresh copy of the data directory
		  (taken with the cluster stopped, after loading): (Ir(N) - Ir(0)) / N for N and 0 EXECUTEs,
		  and the WAL between `pg_current_wal_insert_lsn()` before and after the N. Deterministic: one
		  run. Counted for the W1 contenders and, in W4, at the fewest and the most partitions.
		- Inserts take `clock_timestamp()` as the version: each new row becomes its key's current row.
		- Each pgbench run is preceded by `VACUUM (ANALYZE)` of the contender's tables and a
		  `CHECKPOINT`. Contenders run interleaved: BENCH_ROUNDS rounds (BENCH_BULK_ROUNDS for W2 and
		  W7), each starting one contender later. Reported: the median of the rounds (every round
		  listed); ratios are ratios of medians.
		- Why the missed targets are missed (perf profiles, plans): [BOTTLENECKS.md](BOTTLENECKS.md).
		- pgbench runs with `-n -M prepared` for every contender.
	EOF
}

summary_section() {
	echo '## Summary'
	echo
	echo '| workload | target | ratio | verdict |'
	echo '| --- | --- | --- | --- |'
	md "SELECT format('| %s | %s %s %sx %s%s | %sx | **%s** |', workload, bench.label(contender), op,
	                  threshold, bench.label(reference), CASE WHEN note LIKE 'issue %' THEN ' (' || note || ')' ELSE '' END,
	                  to_char(ratio, CASE WHEN ratio < 0.1 THEN 'FM0.0000' ELSE 'FM999999990.00' END),
	                  CASE WHEN met THEN 'MET' ELSE 'MISSED' END)
	    FROM bench.verdicts WHERE binding ORDER BY workload, contender, reference"
}

# W8: one line per operation, the contenders as columns (medians in ms).
w8_table() {
	echo '| operation (median, ms) | no triggers (view) | current_view | PL/pgSQL row loop | by hand | current_view / no triggers | PL/pgSQL / no triggers |'
	echo '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'
	md "WITH s AS (
	        SELECT split_part(contender, ':', 1) AS c, split_part(contender, ':', 2) AS op, median * 1000 AS ms
	        FROM bench.summary WHERE workload = 'W8'),
	    p AS (
	        SELECT op, max(ms) FILTER (WHERE c = 'plain') AS plain, max(ms) FILTER (WHERE c = 'current_view') AS cv,
	               max(ms) FILTER (WHERE c = 'plpgsql') AS pl, max(ms) FILTER (WHERE c = 'hand') AS hand
	        FROM s GROUP BY op)
	    SELECT format('| %s | %s | %s | %s | %s | %s | %s |', bench.w8_op_label(op),
	                  coalesce(to_char(plain, 'FM9999990.000'), ''), coalesce(to_char(cv, 'FM9999990.000'), ''),
	                  coalesce(to_char(pl, 'FM9999990.000'), ''), coalesce(to_char(hand, 'FM9999990.000'), ''),
	                  coalesce(to_char(cv / nullif(plain, 0), 'FM999990.000') || 'x', ''),
	                  coalesce(to_char(pl / nullif(plain, 0), 'FM999990.000') || 'x', ''))
	    FROM p ORDER BY (SELECT min(ord) FROM bench.w8_ops o WHERE o.op = p.op)"
	echo
	echo '| contender | operation | every round (ms) |'
	echo '| --- | --- | --- |'
	md "SELECT format('| %s | %s | %s |', r.c, bench.w8_op_label(r.op), r.runs)
	    FROM (SELECT split_part(contender, ':', 1) AS c, split_part(contender, ':', 2) AS op,
	                 string_agg(to_char(value * 1000, 'FM9999990.000'), ', ' ORDER BY round) AS runs
	          FROM bench.results WHERE workload = 'W8' GROUP BY contender) r
	    ORDER BY r.c, (SELECT min(o.ord) FROM bench.w8_ops o WHERE o.op = r.op)"
}

# workload_section W: what ran, every contender's numbers, the targets.
workload_section() {
	local w=$1
	md "SELECT format(E'## %s: %s\n\nCommand: \`%s\`\n\n%s', workload, title, command, notes)
	    FROM bench.workloads WHERE workload = '$w'"
	[ "$(md "SELECT count(*) FROM bench.results WHERE workload = '$w'")" = 0 ] && return
	echo
	if [ "$w" = W8 ]; then
		w8_table
	else
		echo '| contender | median | rounds |'
		echo '| --- | ---: | --- |'
		md "SELECT format('| %s | %s %s | %s |', bench.label(contender),
	                  to_char(median, CASE metric WHEN 'seconds' THEN 'FM9999990.000' WHEN 'tps' THEN 'FM9999999990.0'
	                                              ELSE 'FM9999999990' END),
	                  CASE metric WHEN 'tps' THEN 'TPS' WHEN 'seconds' THEN 's'
	                              WHEN 'instructions' THEN 'instructions' ELSE 'bytes' END, runs)
	    FROM bench.summary WHERE workload = '$w'
	    ORDER BY bench.partitions(contender) NULLS FIRST, bench.rank(contender), contender"
	fi
	echo
	echo '| ratio | target | measured | verdict |'
	echo '| --- | --- | ---: | --- |'
	md "SELECT format('| %s / %s | %s %s | %sx | %s |', bench.label(contender), bench.label(reference),
	                  op, threshold, to_char(ratio, CASE WHEN ratio < 0.1 THEN 'FM0.0000' ELSE 'FM999999990.00' END),
	                  CASE WHEN binding IS NULL THEN 'for information'
	                       WHEN NOT binding THEN 'baseline, for comparison'
	                       WHEN met THEN '**MET**' ELSE '**MISSED**' END
	                  || CASE WHEN note <> '' THEN ' (' || note || ')' ELSE '' END)
	    FROM bench.verdicts WHERE workload = '$w' ORDER BY binding DESC, contender, reference"
	local chart
	chart=$(tr '[:upper:]' '[:lower:]' <<<"$w")
	[ -f "$CHARTS/$chart.png" ] && printf '\n![%s](%s/%s.png)\n' "$w" "${CHARTS#bench/}" "$chart"
	return 0
}

# bar_chart W YLABEL [log]: one bar per contender, its median (CPU and WAL
# also count W4 contenders: the chart shows the unpartitioned ones).
bar_chart() {
	local w=$1 ylabel=$2 scale=${3:-linear} data
	data=$(md "SELECT format(E'\"%s\"\t%s', bench.short_label(contender), median)
	           FROM bench.summary WHERE workload = '$w' AND bench.partitions(contender) IS NULL
	           ORDER BY bench.rank(contender), contender")
	[ -n "$data" ] || return 0
	gnuplot <<-EOF
		set terminal pngcairo size 800,450 font ",10" noenhanced
		set output "$CHARTS/$(tr '[:upper:]' '[:lower:]' <<<"$w").png"
		set title "$w: $(md "SELECT title FROM bench.workloads WHERE workload = '$w'")"
		set ylabel "$ylabel"
		set style fill solid 0.6
		set boxwidth 0.6
		set grid ytics
		set yrange [$([ "$scale" = log ] && echo '0.1' || echo '0'):*]
		set xtics rotate by -25 left
		set bmargin 5
		$([ "$scale" = log ] && echo 'set logscale y')
		set datafile separator "\t"
		\$data << EOD
		$data
		EOD
		plot \$data using 0:2:xtic(1) with boxes notitle, \
		     \$data using 0:2:(sprintf(\$2 >= 10000 ? "%.0f" : "%.1f", \$2)) with labels offset 0,0.8 notitle
	EOF
}

# W4: TPS against the number of partitions, one line per contender.
partitions_chart() {
	local bases data
	bases=$(md "SELECT string_agg(DISTINCT bench.base(contender), ' ') FROM bench.results WHERE workload = 'W4'")
	[ -n "$bases" ] || return 0
	local plots=() base
	for base in $bases; do
		data=$(md "SELECT format(E'%s\t%s', bench.partitions(contender), median) FROM bench.summary
		           WHERE workload = 'W4' AND bench.base(contender) = '$base'
		           ORDER BY bench.partitions(contender)")
		printf '%s\n' "$data" >"$CHARTS/.w4_$base.dat"
		plots+=("\"$CHARTS/.w4_$base.dat\" using 1:2 with linespoints lw 2 title \"$(md "SELECT bench.short_label('$base')")\"")
	done
	gnuplot <<-EOF
		set terminal pngcairo size 800,450 font ",10" noenhanced
		set output "$CHARTS/w4.png"
		set title "W4: single-row insert TPS, history partitioned by day"
		set xlabel "partitions"
		set ylabel "TPS (median)"
		set logscale x
		set xtics ($(tr ' ' ',' <<<"${PARTITIONS[*]}"))
		set yrange [0:*]
		set grid
		set key outside right
		set datafile separator "\t"
		plot $(IFS=,; echo "${plots[*]}")
	EOF
	rm -f "$CHARTS"/.w4_*.dat
}

# W8: one cluster of bars per operation, one bar per contender (log scale).
w8_chart() {
	local data
	[ "$(md "SELECT count(*) FROM bench.results WHERE workload = 'W8'")" = 0 ] && return 0
	data=$(md "WITH s AS (
	               SELECT split_part(contender, ':', 1) AS c, split_part(contender, ':', 2) AS op, median * 1000 AS ms
	               FROM bench.summary WHERE workload = 'W8')
	           SELECT format(E'\"%s\"\t%s\t%s\t%s', replace(op, '_', ' '),
	                         max(ms) FILTER (WHERE c = 'plain'), max(ms) FILTER (WHERE c = 'current_view'),
	                         max(ms) FILTER (WHERE c = 'plpgsql'))
	           FROM s WHERE c <> 'hand' GROUP BY op
	           ORDER BY (SELECT min(o.ord) FROM bench.w8_ops o WHERE o.op = s.op)")
	[ -n "$data" ] || return 0
	gnuplot <<-EOF
		set terminal pngcairo size 1100,500 font ",9" noenhanced
		set rmargin 8
		set output "$CHARTS/w8.png"
		set title "W8: the 2016 search test (median ms, log scale; single-row writes: mean per statement)"
		set ylabel "ms"
		set logscale y
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid 0.7
		set boxwidth 0.9
		set grid ytics
		set xtics rotate by -40 left
		set key top left
		set datafile separator "\t"
		\$data << EOD
		$data
		EOD
		plot \$data using 2:xtic(1) title "no triggers (view)", '' using 3 title "current_view", '' using 4 title "PL/pgSQL row loop"
	EOF
}

# kept_full_run: the full run in today's RESULTS.md (all of it if it is one,
# or the part a reduced run kept), without its title; its chart links point
# to bench/charts/, which only a full run rewrites.
kept_full_run() {
	[ -f "$RESULTS" ] || return 0
	if grep -qF "$KEPT_MARKER" "$RESULTS"; then
		sed -n "/^$KEPT_MARKER\$/,\$p" "$RESULTS" | sed '1,/^# The last full run$/d' | sed '1{/^$/d}'
	elif ! grep -q '^\*\*Reduced run\*\*' "$RESULTS"; then
		sed -e '1{/^# current_view benchmark results$/d}' -e '/^Generated by `make bench`; do not edit by hand\.$/d' \
			-e 's/^## /### /' -e 's/^# /## /' "$RESULTS" |
			sed '1{/^$/d}'
	fi
}

write_report() {
	# A reduced run leaves the full run's charts alone (README shows them).
	[ "${REDUCED_RUN:-false}" = true ] && CHARTS=bench/charts/reduced
	log "writing $RESULTS and $CHARTS/"
	mkdir -p "$CHARTS"
	rm -f "$CHARTS"/*.png
	local kept=
	[ "${REDUCED_RUN:-false}" = true ] && kept=$(kept_full_run)
	bar_chart W1 'TPS (median)'
	bar_chart W2 'seconds (median)'
	bar_chart W2c 'seconds (median)'
	bar_chart CPU 'instructions per insert'
	bar_chart WAL 'WAL bytes per insert'
	bar_chart W3 'TPS (median, log scale)' log
	partitions_chart
	bar_chart W5 'TPS (median)'
	bar_chart W6 'TPS (median, log scale)' log
	bar_chart W7 'seconds (median)'
	bar_chart W9 'TPS (median)'
	w8_chart
	{
		echo '# current_view benchmark results'
		echo
		echo 'Generated by `make bench`; do not edit by hand.'
		echo
		if [ "${REDUCED_RUN:-false}" = true ]; then
			echo '**Reduced run** (smaller scale, fewer workloads or rounds than a full `make bench`):'
			echo 'compare its ratios with care. The last full run follows it, unchanged, with its'
			echo 'own date and commit: [the last full run](#the-last-full-run). TPS is noisy on this shared'
			echo 'machine (the rounds of one contender can differ 2x): the CPU and WAL figures, counted'
			echo 'rather than timed, are the ones to compare first.'
			echo
		fi
		machine_section "$1"
		echo
		summary_section
		echo
		method_section
		local w
		for w in $(md 'SELECT workload FROM bench.workloads ORDER BY workload'); do
			echo
			workload_section "$w"
		done
		# Studies run by their own scripts (bench/studies/*.md) keep their
		# sections: a full run does not repeat them.
		local study
		for study in bench/studies/*.md; do
			[ -e "$study" ] || continue
			echo
			cat "$study"
		done
		if [ -n "$kept" ]; then
			printf '\n%s\n\n# The last full run\n\n' "$KEPT_MARKER"
			printf '%s\n' "$kept"
		fi
	} >"$RESULTS.new"
	mv "$RESULTS.new" "$RESULTS"
	summary_section
}
