#!/usr/bin/env bash
# Search benchmark: ratios of maintained vs plain, measured with pgbench in
# the same run.  Needs PGHOST/PGPORT/PGUSER (and pgbench on PATH or PGBENCH).
set -euo pipefail
cd "$(dirname "$0")"
PGBENCH=${PGBENCH:-pgbench}
PSQL=${PSQL:-psql}
$PSQL -X -q -v ON_ERROR_STOP=1 -f search_bench.sql
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name, transactions, SQL
bench() {
	printf '%s\n' "$3" >"$tmp/$1.sql"
	$PGBENCH -n -c 1 -t "$2" -f "$tmp/$1.sql" 2>/dev/null |
		awk -v n="$1" '/latency average/ {print n, $4; exit}'
}

{
	bench search_table 2000 "SELECT trim_id, model_id, make_id, ts_rank(document, q) r FROM maintained.vehicle_search, websearch_to_tsquery('english', 'model17') q WHERE document @@ q ORDER BY r DESC LIMIT 20;"
	bench search_function 2000 "SELECT * FROM search('maintained.vehicle_search', 'model17');"
	bench search_view 20 "SELECT trim_id, model_id, make_id, ts_rank(document, q) r FROM plain.vehicle_view, websearch_to_tsquery('english', 'model17') q WHERE document @@ q ORDER BY r DESC LIMIT 20;"
	bench trim_update_maintained 10000 "\\set id random(1, 13000)
UPDATE maintained.trim SET name = 'Trim' || :id || ' ' || left(md5(random()::text), 6) WHERE id = :id;"
	bench trim_update_plain 10000 "\\set id random(1, 13000)
UPDATE plain.trim SET name = 'Trim' || :id || ' ' || left(md5(random()::text), 6) WHERE id = :id;"
	bench make_rename_maintained 200 "UPDATE maintained.make SET name = 'Make1 ' || left(md5(random()::text), 8) WHERE id = 1;"
	bench make_rename_hand 200 "UPDATE plain.make SET name = 'Make1 ' || left(md5(random()::text), 8) WHERE id = 1;
UPDATE plain.vehicle_search v SET document = w.document FROM plain.vehicle_view w
WHERE v.make_id = 1 AND w.make_id = 1 AND v.model_id = w.model_id AND v.trim_id IS NOT DISTINCT FROM w.trim_id;"
} | tee "$tmp/results"

awk '{ms[$1] = $2}
END {
	printf "search: search table %.3f ms (search() %.3f ms) vs view %.3f ms: %.2f%% (%.2f%%)\n",
		ms["search_table"], ms["search_function"], ms["search_view"],
		100 * ms["search_table"] / ms["search_view"], 100 * ms["search_function"] / ms["search_view"]
	printf "trim update: %.3f ms vs %.3f ms without triggers: %.2fx\n",
		ms["trim_update_maintained"], ms["trim_update_plain"], ms["trim_update_maintained"] / ms["trim_update_plain"]
	printf "make rename: %.3f ms vs %.3f ms by hand: %.2fx\n",
		ms["make_rename_maintained"], ms["make_rename_hand"], ms["make_rename_maintained"] / ms["make_rename_hand"]
}' "$tmp/results"
$PSQL -X -q -At -c "SELECT 'wrong search rows after the run: ' || check_search_table('maintained.vehicle_search')"
