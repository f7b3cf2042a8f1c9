#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The memory plan against the measured peak resident memory: the wide network
# Input(2) >> Sigmoid(12000) >> Sigmoid(1) (N = 48,001) must be refused on 1 and 2 ranks with
# needed vs available GiB, and for a sweep of shapes the peak (largest rank, from getrusage of
# the ranks) over the plan's total is printed. Not run in CI: minutes and several GiB.
# Usage: bench/memory_plan_wide.sh [hessnet binary] (default build/hessnet); any build that
# prints its plan with -v can be measured, the N = 48,001 run only with --memory-limit support.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hessnet=${1:-$root/build/hessnet}
python=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$python" - <<'PY'
import numpy as np
rng = np.random.default_rng(3)
for name, inputs, outputs, rows in [("wide", 2, 1, 200), ("deep", 8, 1, 400), ("many", 16, 40, 400)]:
    x = rng.normal(size=(rows, inputs))
    np.savetxt(f"{name}.csv", np.column_stack([x, rng.random(size=(rows, outputs))]), delimiter=",")
PY

# Runs the command under mpirun; prints the largest resident set of its processes in bytes.
peak_of() {
  "$python" - "$@" <<'PY'
import resource, subprocess, sys
with open("out.txt", "w") as out, open("err.txt", "w") as err:
    code = subprocess.call(sys.argv[1:], stdout=out, stderr=err)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, code)
PY
}

if "$hessnet" --help 2>&1 | grep -q -- --memory-limit; then
  "$hessnet" init --network "Input(2) >> Sigmoid(12000) >> Sigmoid(1)" --seed 1 --out w12000.json > /dev/null
  for np in 1 2; do
    read -r _ code < <(peak_of mpirun -np "$np" "$hessnet" hessian --model w12000.json --data wide.csv --grad g.npy)
    echo "N=48001 on $np rank(s): exit $code: $(grep -o 'needs [0-9.]* GiB per rank but only [0-9.]* GiB is available' err.txt || cat err.txt)"
  done
else
  echo "N=48001: skipped (this build has no --memory-limit; it would not refuse the job)"
fi

printf '%-48s %3s %9s %9s %7s\n' case np "peak GiB" "plan GiB" ratio
run() {
  local label=$1 np=$2; shift 2
  read -r peak code < <(peak_of mpirun -np "$np" "$hessnet" -v "$@")
  [ "$code" -eq 0 ] || { printf '%-48s %3s failed: %s\n' "$label" "$np" "$(tail -1 err.txt)"; return; }
  local plan
  plan=$(grep -o 'total [0-9.]* GiB of' out.txt | head -1 | awk '{print $2}')
  awk -v l="$label" -v np="$np" -v p="$peak" -v q="$plan" \
    'BEGIN { g = p / 2^30; printf "%-48s %3s %9.3f %9.3f %7.2f\n", l, np, g, q, g / q }'
}
for units in 700 1000 2000 3000; do
  "$hessnet" init --network "Input(2) >> Sigmoid($units) >> Sigmoid(1)" --seed 1 --out m.json > /dev/null
  for np in 1 2; do run "hessian wide 2-$units-1" "$np" hessian --model m.json --data wide.csv --grad g.npy; done
done
"$hessnet" init --network "Input(8) >> Tanh(64) >> Tanh(64) >> Tanh(64) >> Linear(1)" --seed 1 --out m.json > /dev/null
for np in 1 2; do run "hessian deep 8-64-64-64-1" "$np" hessian --model m.json --data deep.csv --grad g.npy; done
"$hessnet" init --network "Input(16) >> Tanh(32) >> Softmax(40)" --seed 1 --out m.json > /dev/null
for np in 1 2; do
  run "hessian many outputs 16-32-40" "$np" hessian --model m.json --data many.csv --loss categorical_crossentropy \
    --grad g.npy
done
for np in 1 2; do
  run "train wide 2-2000-1" "$np" train --network "Input(2) >> Sigmoid(2000) >> Sigmoid(1)" --data wide.csv \
    --epochs 1
  run "train mixed deep 8-64-64-64-1" "$np" train --network "Input(8) >> Tanh(64) >> Tanh(64) >> Tanh(64) >> Linear(1)" \
    --data deep.csv --epochs 2 --precision mixed
done
