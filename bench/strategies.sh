#!/usr/bin/env bash
# 'flag' against 'table' for README's "Choosing a strategy" (issue 15 item
# 6): on a history partitioned by day into 1, 30 and 100 partitions, reads
# of one key's current row (pgbench, interleaved rounds), and per new
# version the WAL written and the storage it leaves behind before VACUUM
# (table, indexes and the derived heads or current table; dead tuples).
# Writes at 1 / 30 / 100 partitions are W4 of make bench.
# Writes bench/studies/strategies.md and its section of bench/RESULTS.md.
# usage: PG_BINDIR=... bash bench/strategies.sh  (the extension installed there)
# knobs: ST_KEYS (10000), ST_VERSIONS (10 per key), ST_WRITES (10000 new
#        versions for WAL and storage), ST_DURATION (5 s), ST_ROUNDS (3)
set -euo pipefail
cd "$(dirname "$0")/.."
source test/cluster.sh
source bench/lib.sh
ST_KEYS=${ST_KEYS:-10000}
ST_VERSIONS=${ST_VERSIONS:-10}
ST_WRITES=${ST_WRITES:-10000}
ST_DURATION=${ST_DURATION:-5}
ST_ROUNDS=${ST_ROUNDS:-3}
PARTITIONS=(1 30 100)
STRATEGIES=(flag table)
SETTINGS=(shared_buffers=1GB synchronous_commit=off full_page_writes=off autovacuum=off
          max_parallel_workers_per_gather=0 jit=off)
start_cluster "${SETTINGS[@]}"
sql -c 'CREATE EXTENSION current_view' -c 'CREATE EXTENSION pgstattuple' >/dev/null

# One schema per strategy and partition count, the same rows in each: key
# id, version ts (day d of the history's 100 days at most), versions spread
# over every partition.
for p in "${PARTITIONS[@]}"; do
	for s in "${STRATEGIES[@]}"; do
		schema="${s}_p$p"
		sql -v schema="$schema" -v parts="$p" -v strategy="$s" -v keys="$ST_KEYS" -v versions="$ST_VERSIONS" <<-'SQL' >/dev/null
			CREATE SCHEMA :"schema";
			SET search_path = :"schema", public;
			CREATE TABLE orders (id bigint, ts timestamptz, market int, price numeric, PRIMARY KEY (id, ts))
			    PARTITION BY RANGE (ts);
			SELECT format('CREATE TABLE %I.%I PARTITION OF %I.orders FOR VALUES FROM (%L) TO (%L)', :'schema',
			              'orders_' || d, :'schema',
			              '2024-01-01'::timestamptz + d * (100 / :parts) * interval '1 day',
			              CASE WHEN d = :parts - 1 THEN 'infinity'::timestamptz
			                   ELSE '2024-01-01'::timestamptz + (d + 1) * (100 / :parts) * interval '1 day' END)
			FROM generate_series(0, :parts - 1) d \gexec
			INSERT INTO orders SELECT k, '2024-01-01'::timestamptz + (v * 100 / :versions) * interval '1 day'
			                             + k * interval '1 second', k % 50, v
			FROM generate_series(1, :keys) k, generate_series(0, :versions - 1) v;
			SELECT register_versioned_table('orders', '{id}', '{ts}', strategy => :'strategy');
			VACUUM ANALYZE orders;
		SQL
	done
done
VERSION=$(sql -At -c 'SELECT version()')

work=$(mktemp -d /tmp/strategies.XXXXXX)
chmod 755 "$work"
printf '\\set k random(1, %s)\nSELECT * FROM orders_current WHERE id = :k;\n' "$ST_KEYS" >"$work/read.sql"
declare -A TPS WAL BYTES DEAD
log "reads by key: $ST_ROUNDS rounds of $ST_DURATION s per contender, interleaved"
for round in $(seq "$ST_ROUNDS"); do
	for p in "${PARTITIONS[@]}"; do
		for s in "${STRATEGIES[@]}"; do
			tps=$(PGOPTIONS="-c search_path=${s}_p$p,public" "$PG_BINDIR/pgbench" -n -M prepared -T "$ST_DURATION" \
				-f "$work/read.sql" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
			TPS[$s.$p]+="$tps "
			printf '  round %s %-5s %3s partitions %s tps\n' "$round" "$s" "$p" "$tps"
		done
	done
done
rm -rf "$work"

# Every relation a registration writes: the table and its partitions, their
# indexes, the heads or current table and its indexes.
relations() {
	echo "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	      WHERE n.nspname = '$1' AND c.relkind IN ('r', 'i')"
}
log "WAL and storage per new version: $ST_WRITES single-row inserts (one statement each) per contender"
for p in "${PARTITIONS[@]}"; do
	for s in "${STRATEGIES[@]}"; do
		schema="${s}_p$p"
		out=$(sql -At -v schema="$schema" <<-SQL
			SET search_path = :"schema", public;
			CREATE TEMP TABLE before AS
			SELECT pg_current_wal_insert_lsn() AS lsn,
			       (SELECT sum(pg_relation_size(oid)) FROM ($(relations "$schema")) r) AS bytes;
			-- One statement per version, as an application writes them: each
			-- key gets a version newer than its current one.
			DO \$\$
			BEGIN
			    FOR i IN 1 .. $ST_WRITES LOOP
			        EXECUTE 'INSERT INTO orders VALUES (\$1, \$2, \$3, \$4)'
			            USING 1 + i % $ST_KEYS, '2024-04-10'::timestamptz + i * interval '1 second', i % 50, i;
			    END LOOP;
			END
			\$\$;
			SELECT round(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), lsn) / $ST_WRITES),
			       round(((SELECT sum(pg_relation_size(oid)) FROM ($(relations "$schema")) r) - bytes) / $ST_WRITES),
			       round((SELECT sum(dead_tuple_count) FROM ($(relations "$schema")) r
			                CROSS JOIN LATERAL pgstattuple(r.oid) t
			              WHERE (SELECT relkind FROM pg_class WHERE oid = r.oid) = 'r')::numeric / $ST_WRITES, 2)
			FROM before;
		SQL
		)
		IFS='|' read -r WAL[$s.$p] BYTES[$s.$p] DEAD[$s.$p] <<<"$(tail -n 1 <<<"$out")"
		printf '  %-5s %3s partitions: %s WAL bytes, %s bytes of storage, %s dead tuples per version\n' \
			"$s" "$p" "${WAL[$s.$p]}" "${BYTES[$s.$p]}" "${DEAD[$s.$p]}"
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

section() {
	echo "## 'flag' and 'table' at 1, 30 and 100 partitions (issue 15 item 6)"
	echo
	echo 'Generated by `bench/strategies.sh`; do not edit by hand.'
	echo
	echo "- Command: \`PG_BINDIR=... ST_KEYS=$ST_KEYS ST_VERSIONS=$ST_VERSIONS ST_WRITES=$ST_WRITES ST_DURATION=$ST_DURATION ST_ROUNDS=$ST_ROUNDS bash bench/strategies.sh\`"
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
	echo "- PostgreSQL: $VERSION; settings: ${SETTINGS[*]}"
	echo "- Data: \`orders (id bigint, ts timestamptz, market int, price numeric, PRIMARY KEY (id, ts))\`, range"
	echo "  partitioned by \`ts\` into 1, 30 or 100 partitions over 100 days; $ST_KEYS keys x $ST_VERSIONS versions"
	echo "  spread over the partitions; registered with the strategy's defaults."
	echo "- Reads: pgbench -M prepared, 1 client, \`SELECT * FROM orders_current WHERE id = :k\` (random key),"
	echo "  $ST_DURATION s per run, $ST_ROUNDS rounds interleaved; medians."
	echo "- Per new version: $ST_WRITES single-row INSERTs (one statement each, a newer version of a key"
	echo "  already current), after VACUUM ANALYZE: WAL bytes (pg_current_wal_insert_lsn), growth of every"
	echo "  table and index of the schema (history, partitions, heads or current table), dead tuples"
	echo "  (pgstattuple) left for VACUUM, each divided by $ST_WRITES."
	echo
	echo '| partitions | strategy | reads by key (tps) | WAL bytes per version | storage bytes per version | dead tuples per version |'
	echo '| ---: | --- | ---: | ---: | ---: | ---: |'
	local p s
	for p in "${PARTITIONS[@]}"; do
		for s in "${STRATEGIES[@]}"; do
			printf '| %s | %s | %.0f | %s | %s | %s |\n' "$p" "'$s'" "$(median "${TPS[$s.$p]}")" \
				"${WAL[$s.$p]}" "${BYTES[$s.$p]}" "${DEAD[$s.$p]}"
		done
	done
}
section >bench/studies/strategies.md
put_study bench/studies/strategies.md
cat bench/studies/strategies.md
