#!/usr/bin/env bash
# Top-20 ranked search over ~1M search rows (issue 12 item 5): the search
# table with its GIN index, where the top 20 are found by ranking every
# match and sorting, against the same table with a RUM index
# (postgresql-15-rum, set_search_index), which returns matches in the order
# of its own distance (document <=> query) and stops after 20: the raw
# queries and search() on each.  Three query classes (rare: 1 match,
# medium: ~1,000, common: ~10,000), each the median of interleaved pgbench
# rounds; single-row trim updates through each index; sizes, build times.
# Writes bench/studies/rum_vs_gin.md and its section of bench/RESULTS.md.
# usage: PG_BINDIR=... bash bench/rum_vs_gin.sh  (the extension and rum installed there)
# knobs: RUM_TRIMS (1000000), RUM_DURATION (5 s per pgbench run), RUM_ROUNDS (5)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/cluster.sh
source bench/lib.sh
RUM_TRIMS=${RUM_TRIMS:-1000000}
RUM_DURATION=${RUM_DURATION:-5}
RUM_ROUNDS=${RUM_ROUNDS:-5}
SETTINGS=(shared_buffers=2GB synchronous_commit=off full_page_writes=off autovacuum=off
          max_parallel_workers_per_gather=0 jit=off work_mem=16MB maintenance_work_mem=1GB)
start_cluster "${SETTINGS[@]}"

log "data: bench/sql/search_rows.sql with $RUM_TRIMS trims"
sql -v trims="$RUM_TRIMS" -f bench/sql/search_rows.sql >/dev/null
ms() { sql -At -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
# The same search table in two databases, one with its GIN index, one
# switched to RUM by set_search_index.
sql -c 'CREATE EXTENSION rum' >/dev/null
sql -c 'VACUUM ANALYZE vehicle_search' >/dev/null
GIN_BUILD=$(ms 'REINDEX INDEX vehicle_search_document')
sql -d template1 -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid()" >/dev/null
sql -d template1 -c 'CREATE DATABASE search_rum TEMPLATE postgres' >/dev/null
RUM_BUILD=$(PGDATABASE=search_rum ms "SELECT set_search_index('vehicle_search', 'rum')")
PGDATABASE=search_rum sql -c 'VACUUM ANALYZE vehicle_search' >/dev/null
ROWS=$(sql -At -c 'SELECT count(*) FROM vehicle_search')
SIZES=$(sql -At -c "SELECT pg_size_pretty(pg_relation_size('vehicle_search_document'))")' / '$(
	PGDATABASE=search_rum sql -At -c "SELECT pg_size_pretty(pg_relation_size('vehicle_search_document'))")
MATCHES=$(sql -At -c "SELECT (SELECT count(*) FROM vehicle_search WHERE document @@ 'trim777'::tsquery)
  || ' / ' || (SELECT count(*) FROM vehicle_search WHERE document @@ 'w17'::tsquery)
  || ' / ' || (SELECT count(*) FROM vehicle_search WHERE document @@ 'make17'::tsquery)")
log "$ROWS search rows; matches of trim777 / w17 / make17: $MATCHES; index sizes GIN / RUM: $SIZES"

# The raw queries and search() with each index; search() ranks by ts_rank
# on GIN, by RUM's order with ranking => 'rum'.
RAW_GIN="SELECT count(*) FROM (SELECT trim_id, ts_rank(document, q) AS rank FROM vehicle_search, websearch_to_tsquery('english', \$1) q WHERE document @@ q ORDER BY rank DESC LIMIT 20) s"
RAW_RUM="SELECT count(*) FROM (SELECT trim_id, document <=> q AS distance FROM vehicle_search, websearch_to_tsquery('english', \$1) q WHERE document @@ q ORDER BY document <=> q LIMIT 20) s"
CV_GIN="SELECT count(*) FROM search('vehicle_search', \$1)"
CV_RUM="SELECT count(*) FROM search('vehicle_search', \$1, ranking => 'rum')"
CONTENDERS=(raw_gin raw_rum cv_gin cv_rum)
declare -A QUERY=([raw_gin]=$RAW_GIN [raw_rum]=$RAW_RUM [cv_gin]=$CV_GIN [cv_rum]=$CV_RUM)
database() { case $1 in *rum) echo search_rum ;; *) echo postgres ;; esac; }
CLASSES=(rare medium common)
declare -A PREFIX=([rare]=trim [medium]=w [common]=make) COUNT=([rare]=$RUM_TRIMS [medium]=2000 [common]=100)
work=$(mktemp -d /tmp/rum_vs_gin.XXXXXX)
chmod 755 "$work"
for class in "${CLASSES[@]}"; do
	for c in "${CONTENDERS[@]}"; do
		q=${QUERY[$c]}
		printf '\\set n random(1, %s)\n%s;\n' "${COUNT[$class]}" "${q//\$1/\'${PREFIX[$class]}\' || :n::int}" >"$work/$class.$c.sql"
	done
done
# A trim's document gains a word: one search row rewritten by the triggers,
# its index entries with it.
printf '\\set id random(1, %s)\nUPDATE trim SET name = name || %s WHERE id = :id;\n' \
	"$RUM_TRIMS" "' x' || :id" >"$work/update.sql"

declare -A TPS
log "pgbench: $RUM_ROUNDS rounds of $RUM_DURATION s per contender, interleaved"
for round in $(seq "$RUM_ROUNDS"); do
	for class in "${CLASSES[@]}"; do
		for c in "${CONTENDERS[@]}"; do
			tps=$(PGDATABASE=$(database "$c") "$PG_BINDIR/pgbench" -n -M prepared -T "$RUM_DURATION" \
				-f "$work/$class.$c.sql" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
			TPS[$class.$c]+="$tps "
			printf '  round %s %-7s %-8s %s tps\n' "$round" "$class" "$c" "$tps"
		done
	done
	for c in gin rum; do
		tps=$(PGDATABASE=$(database "$c") "$PG_BINDIR/pgbench" -n -M prepared -T "$RUM_DURATION" \
			-f "$work/update.sql" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
		TPS[update.$c]+="$tps "
		printf '  round %s update  %-8s %s tps\n' "$round" "$c" "$tps"
	done
done
rm -rf "$work"
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
VERSION=$(sql -At -c 'SELECT version()')
RUM_VERSION=$(sql -At -c "SELECT extversion FROM pg_extension WHERE extname = 'rum'")

section() {
	echo '## Top-20 search over 1M rows: GIN and sort against RUM (issue 12 item 5)'
	echo
	echo 'Generated by `bench/rum_vs_gin.sh`; do not edit by hand.'
	echo
	echo "- Command: \`PG_BINDIR=... RUM_TRIMS=$RUM_TRIMS RUM_DURATION=$RUM_DURATION RUM_ROUNDS=$RUM_ROUNDS bash bench/rum_vs_gin.sh\`"
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
	echo "- PostgreSQL: $VERSION; rum $RUM_VERSION; settings: ${SETTINGS[*]}"
	echo "- Data: bench/sql/search_rows.sql with $RUM_TRIMS trims: $ROWS search rows; matches per class"
	echo "  (rare / medium / common, e.g. trim777 / w17 / make17): $MATCHES."
	echo "- Indexes: the search table's GIN index as add_search_source makes it (\`gin_pending_list_limit = 256\`),"
	echo "  and, in a copy of the database, the RUM index of \`set_search_index('vehicle_search', 'rum')\`."
	echo "  Sizes GIN / RUM: $SIZES; build $(printf '%.0f' "$GIN_BUILD") ms / $(printf '%.0f' "$RUM_BUILD") ms (maintenance_work_mem 1GB)."
	echo "- Top 20: the raw GIN query \`$RAW_GIN\`; the raw RUM query \`$RAW_RUM\`;"
	echo "  \`search(..., max_rows => 20)\` with ts_rank on GIN, and with \`ranking => 'rum'\` on RUM (RUM's"
	echo "  own score: the order of equally relevant rows differs from ts_rank's)."
	echo "- update: \`UPDATE trim SET name = name || <one new word> WHERE id = <random>\`: the triggers rewrite the"
	echo "  trim's search row and its index entries."
	echo "- pgbench -M prepared, 1 client, $RUM_DURATION s per run, $RUM_ROUNDS rounds interleaved; medians of tps."
	echo
	echo '| workload | raw GIN | raw RUM | RUM / GIN | search() GIN | search() RUM | RUM / GIN |'
	echo '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'
	local w a b c d
	for w in "${CLASSES[@]}"; do
		a=$(median "${TPS[$w.raw_gin]}")
		b=$(median "${TPS[$w.raw_rum]}")
		c=$(median "${TPS[$w.cv_gin]}")
		d=$(median "${TPS[$w.cv_rum]}")
		printf '| %s | %.0f | %.0f | %.2fx | %.0f | %.0f | %.2fx |\n' "$w" "$a" "$b" "$(echo "$b / $a" | bc -l)" \
			"$c" "$d" "$(echo "$d / $c" | bc -l)"
	done
	a=$(median "${TPS[update.gin]}")
	b=$(median "${TPS[update.rum]}")
	printf '| update (tps) | %.0f | %.0f | %.2fx | | | |\n' "$a" "$b" "$(echo "$b / $a" | bc -l)"
}
section >bench/studies/rum_vs_gin.md
put_study bench/studies/rum_vs_gin.md
cat bench/studies/rum_vs_gin.md
