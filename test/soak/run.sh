#!/usr/bin/env bash
# Long soak for `make bench`: the soak TAP tests (test/t/003_soak.pl, then
# the search chain's test/t/013_search_concurrent.pl) for SOAK_SECONDS
# seconds (default 600) each, on throwaway clusters of their own.
# Usage: bash test/soak/run.sh [seconds]; needs the extension installed and
# PostgreSQL 15's bin directory first in PATH (as test/run.sh arranges).
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/cluster.sh
export SOAK_SECONDS=${1:-${SOAK_SECONDS:-600}}
export SEARCH_SOAK_SECONDS=$SOAK_SECONDS
dir=$(stage_tests soak)
trap 'rm -rf "$dir"' EXIT
prove_staged "$dir" -v t/003_soak.pl t/013_search_concurrent.pl
