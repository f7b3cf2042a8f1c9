#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/local-slurm.sh: start is idempotent, status tells, jobs run, stop kills exactly the
# recorded daemons and removes the directory, and a second stop is harmless.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged
fail() { echo "FAIL: $*"; exit 1; }
script="$root/scripts/local-slurm.sh"

tmp="$(mktemp -d)"
export LOCAL_SLURM_DIR="$tmp/slurm" LOCAL_SLURM_PORT=$((20000 + ($$ % 5000) * 2))
trap 'bash "$script" stop; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

first="$(bash "$script" start)"
[ "$first" = "export SLURM_CONF=$tmp/slurm/slurm.conf" ] || fail "start printed '$first'"
pids="$(awk '{ print $2 }' "$tmp/slurm/pids")"
[ "$(wc -w <<<"$pids")" -eq 3 ] || fail "expected 3 recorded daemons, got: $pids"
[ "$(bash "$script" start)" = "$first" ] || fail "a second start printed something else"
[ "$(awk '{ print $2 }' "$tmp/slurm/pids")" = "$pids" ] || fail "a second start started new daemons"
bash "$script" status >/dev/null 2>&1 || fail "status says not running"

eval "$first"
out="$(srun -n 2 --mpi=none echo hello)"
[ "$(grep -c hello <<<"$out")" -eq 2 ] || fail "srun -n 2 printed '$out'"

bash "$script" stop
for pid in $pids; do
  ! kill -0 "$pid" 2>/dev/null || fail "daemon $pid survived stop"
done
[ ! -e "$tmp/slurm" ] || fail "stop left $tmp/slurm"
bash "$script" stop || fail "a second stop failed"
if bash "$script" status >/dev/null 2>&1; then fail "status says running after stop"; fi
echo "PASS: slurm_local"
