#!/usr/bin/env bash
# Long soak for `make bench`: the soak TAP test (test/t/003_soak.pl) for
# SOAK_SECONDS seconds (default 600) on its own throwaway cluster.
# Usage: bash test/soak/run.sh [seconds]; needs the extension installed and
# PostgreSQL 15's bin directory first in PATH (as test/run.sh arranges).
set -euo pipefail
cd "$(dirname "$0")/../.."
source test/cluster.sh
export SOAK_SECONDS=${1:-${SOAK_SECONDS:-600}}
dir=$(stage_tests soak)
trap 'rm -rf "$dir"' EXIT
prove_staged "$dir" -v t/003_soak.pl
