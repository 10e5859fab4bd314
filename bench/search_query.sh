#!/usr/bin/env bash
# search() against the raw GIN query with the same ranking and limit (issue
# 14 item 4): on ~200,000 search rows, three query classes (rare: 1 match,
# medium: ~190, common: ~2,000), each the median of interleaved pgbench
# rounds, then instructions per call under callgrind on a single-user backend
# (the same copy of the data directory for every run; N and 0 executions).
# Writes its section at the end of bench/RESULTS.md.
# usage: PG_BINDIR=... bash bench/search_query.sh  (the extension installed there; needs valgrind)
# knobs: SQ_DURATION (3 s per pgbench run), SQ_ROUNDS (5), SQ_CALLS (200 under callgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/cluster.sh
source bench/lib.sh
SQ_DURATION=${SQ_DURATION:-3}
SQ_ROUNDS=${SQ_ROUNDS:-5}
SQ_CALLS=${SQ_CALLS:-200}
SETTINGS=(shared_buffers=1GB synchronous_commit=off full_page_writes=off autovacuum=off
          max_parallel_workers_per_gather=0 jit=off)
start_cluster "${SETTINGS[@]}"
PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1)

log "data: 100 makes, 10,000 models (a quarter certified), 190,000 trims"
"${PSQL[@]}" -f bench/sql/search_rows.sql
ROWS=$("${PSQL[@]}" -At -c "SELECT count(*) FROM vehicle_search")
MATCHES=$("${PSQL[@]}" -At -c "SELECT (SELECT count(*) FROM vehicle_search WHERE document @@ 'trim777'::tsquery)
  || ' / ' || (SELECT count(*) FROM vehicle_search WHERE document @@ 'w17'::tsquery)
  || ' / ' || (SELECT count(*) FROM vehicle_search WHERE document @@ 'make17'::tsquery)")
log "$ROWS search rows; matches of trim777 / w17 / make17: $MATCHES"

# The same ranking and limit as search()'s default: ts_rank, top 20, ties by the search columns.
RAW="SELECT trim_id, model_id, make_id, ts_rank(document, q) AS rank FROM vehicle_search, websearch_to_tsquery('english', \$1) q WHERE document @@ q ORDER BY rank DESC, trim_id, model_id, make_id LIMIT 20"
CV="SELECT * FROM search('vehicle_search', \$1)"
CLASSES=(rare medium common)
declare -A PREFIX=([rare]=trim [medium]=w [common]=make) COUNT=([rare]=190000 [medium]=2000 [common]=100)
work=$(mktemp -d /tmp/search_query.XXXXXX)
chmod 755 "$work"

# Contenders: the raw query as a prepared statement (planned per call, as
# plan_cache_mode=auto chooses here), the same with a generic plan (what
# search() runs), search().
CONTENDERS=(raw generic cv)
mode() { # contender: its plan_cache_mode
	if [ "$1" = generic ]; then echo force_generic_plan; else echo auto; fi
}
# Every contender counted in the server: no difference in what the client receives.
counted() { # contender: its query, counted
	if [ "$1" = cv ]; then echo "SELECT count(*) FROM ($CV) s"; else echo "SELECT count(*) FROM ($RAW) s"; fi
}
script() { # class contender: a pgbench script, the word drawn at random
	local q word="'${PREFIX[$1]}' || :n::int"
	q=$(counted "$2")
	printf '\\set n random(1, %s)\n%s;\n' "${COUNT[$1]}" "${q//\$1/$word}" >"$work/$1.$2.sql"
}

declare -A TPS
for class in "${CLASSES[@]}"; do
	for c in "${CONTENDERS[@]}"; do script "$class" "$c"; TPS[$class.$c]=; done
done
log "pgbench: $SQ_ROUNDS rounds of ${SQ_DURATION} s per contender, interleaved"
for round in $(seq "$SQ_ROUNDS"); do
	for class in "${CLASSES[@]}"; do
		for c in "${CONTENDERS[@]}"; do
			tps=$(PGOPTIONS="-c plan_cache_mode=$(mode "$c")" "$PG_BINDIR/pgbench" -n -M prepared -T "$SQ_DURATION" -f "$work/$class.$c.sql" 2>/dev/null |
				sed -n 's/^tps = \([0-9.]*\).*/\1/p')
			TPS[$class.$c]+="$tps "
			printf '  round %s %-6s %-7s %s tps\n' "$round" "$class" "$c" "$tps"
		done
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# callgrind: instructions per call, single-user backend, same data directory copy.
log "callgrind: $SQ_CALLS calls and 0 calls per contender and class"
as_pg_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null
declare -A IR
for class in "${CLASSES[@]}"; do
	for c in "${CONTENDERS[@]}"; do
		for n in 0 "$SQ_CALLS"; do
			{
				echo "PREPARE p(text) AS $(counted "$c")"
				# one call first: both contenders start with warm caches and a built search() statement
				echo "EXECUTE p('w1')"
				for i in $(seq "$n"); do
					echo "EXECUTE p('${PREFIX[$class]}$(( (i * 7919) % COUNT[$class] + 1 ))')"
				done
			} >"$work/in.sql"
			rm -rf "$work/data"
			cp -a "$CLUSTER_DIR/data" "$work/data"
			chown -R "$PG_OS_USER" "$work"
			as_pg_user valgrind --tool=callgrind --callgrind-out-file="$work/cg.$class.$c.$n" \
				"$PG_BINDIR/postgres" --single -D "$work/data" -c autovacuum=off -c jit=off \
				-c max_parallel_workers_per_gather=0 -c plan_cache_mode="$(mode "$c")" postgres <"$work/in.sql" >"$work/log.$class.$c.$n" 2>&1
			IR[$class.$c.$n]=$(sed -n 's/^summary: //p' "$work/cg.$class.$c.$n")
		done
		IR[$class.$c]=$(((IR[$class.$c.$SQ_CALLS] - IR[$class.$c.0]) / SQ_CALLS))
		printf '  %-6s %-7s %s instructions per call\n' "$class" "$c" "${IR[$class.$c]}"
	done
done
as_pg_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
	-o "-c listen_addresses= -k $CLUSTER_DIR -p 5432" -w start >/dev/null
VERSION=$("${PSQL[@]}" -At -c "SELECT version()")
rm -rf "$work"

section() {
	echo "## search() against the raw GIN query (issue 14 item 4)"
	echo
	echo "Generated by \`bench/search_query.sh\`; do not edit by hand."
	echo
	echo "- Command: \`PG_BINDIR=... SQ_DURATION=$SQ_DURATION SQ_ROUNDS=$SQ_ROUNDS SQ_CALLS=$SQ_CALLS bash bench/search_query.sh\`"
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
	echo "- PostgreSQL: $VERSION; settings: ${SETTINGS[*]}"
	echo "- Data: $ROWS search rows (190,000 trims and 2,500 certified models of 100 makes); matches per query"
	echo "  class (rare / medium / common, e.g. trim777 / w17 / make17): $MATCHES"
	echo "- raw: \`$RAW\` (generic plan: the same with plan_cache_mode=force_generic_plan)"
	echo "- search(): \`$CV\` (ts_rank, top 20, ties by the search columns: the same rows and order, plus"
	echo "  source_table, source_key and keys)"
	echo "- Time: pgbench -M prepared, 1 client, each query class and contender ${SQ_DURATION} s per round, $SQ_ROUNDS"
	echo "  rounds interleaved; the median of the rounds' tps. Instructions: callgrind on a single-user backend,"
	echo "  $SQ_CALLS and 0 calls after one warming call, each run on the same copy of the data directory."
	echo
	echo "| query class | raw tps | raw, generic plan tps | search() tps | time ratio to raw (target <= 1.2) | time ratio to raw, generic plan | raw instructions per call | raw, generic plan | search() | instruction ratio to raw | to raw, generic plan |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for class in "${CLASSES[@]}"; do
		r=$(median "${TPS[$class.raw]}")
		g=$(median "${TPS[$class.generic]}")
		s=$(median "${TPS[$class.cv]}")
		printf '| %s | %.0f | %.0f | %.0f | %.2fx | %.2fx | %s | %s | %s | %.2fx | %.2fx |\n' "$class" "$r" "$g" "$s" \
			"$(echo "$r / $s" | bc -l)" "$(echo "$g / $s" | bc -l)" \
			"${IR[$class.raw]}" "${IR[$class.generic]}" "${IR[$class.cv]}" \
			"$(echo "${IR[$class.cv]} / ${IR[$class.raw]}" | bc -l)" \
			"$(echo "${IR[$class.cv]} / ${IR[$class.generic]}" | bc -l)"
	done
	echo
	echo "Time ratios are search()'s time per call over the raw query's (tps raw / tps search()). The raw"
	echo "prepared statement gets custom plans, planned on every call, where plan_cache_mode=auto prefers"
	echo "them (in these runs: the rare and medium classes); search()'s statement has a generic plan, so"
	echo "its overhead proper is the ratio to the raw query with a generic plan. The machine is shared:"
	echo "times vary between rounds and runs, instruction counts do not."
}
section >bench/studies/search_query.md
put_study bench/studies/search_query.md
