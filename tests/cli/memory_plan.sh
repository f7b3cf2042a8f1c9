#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The memory plan holds: for wide, deep and many-output networks the peak resident memory of
# `hessnet hessian`, `hessnet train` and `hessnet spectrum` on 1 and 2 ranks (also with
# --overlap on and --log-curvature) stays within the plan (-v reports both), and a job beyond
# --memory-limit (or HESSNET_MEMORY_LIMIT) is refused before it allocates: one error line
# naming needed and available GiB, non-zero exit, no output file.
set -euo pipefail
source "$PROJECT_ROOT/tests/support/cli_test.sh"
cd "$work"
export OPENBLAS_NUM_THREADS=1

"$PYTHON" - <<'PY'
import numpy as np
rng = np.random.default_rng(3)
for name, inputs, outputs, rows in [("wide", 2, 1, 40), ("deep", 8, 1, 200), ("many", 16, 40, 200)]:
    x = rng.normal(size=(rows, inputs))
    y = rng.random(size=(rows, outputs)) if outputs > 1 else rng.random(size=(rows, 1))
    np.savetxt(f"{name}.csv", np.column_stack([x, y]), delimiter=",")
PY

# (`hessian` with --hessian: the gradient alone assembles no Hessian, so plans none.)
# Runs hessnet -v on $1 ranks with the rest as arguments and checks the reported peak/plan.
check_peak() {
  local np=$1 label=$2; shift 2
  timeout 120 "$MPIEXEC" -np "$np" --oversubscribe "$HESSNET" -v "$@" > out.txt 2> err.txt ||
    { cat out.txt err.txt; fail "$label on $np rank(s) failed"; }
  local line ratio
  line=$(grep '^memory: peak RSS' out.txt) || { cat out.txt; fail "$label: no peak memory report"; }
  ratio=${line##*peak/plan }
  echo "$label np=$np: $line"
  awk -v r="$ratio" 'BEGIN { exit !(r > 0 && r <= 1) }' || fail "$label on $np rank(s): peak above the plan ($line)"
}

wide1000="Input(2) >> Sigmoid(1000) >> Sigmoid(1)"
wide2000="Input(2) >> Sigmoid(2000) >> Sigmoid(1)"
deep="Input(8) >> Tanh(48) >> Tanh(48) >> Tanh(48) >> Linear(1)"
many="Input(16) >> Tanh(32) >> Softmax(40)"
# (hessian on 1 and 2 ranks, except the widest, whose H is halved on 2)
for spec in "1 2|$wide1000" "2|$wide2000" "1 2|$deep" "1|$many"; do
  ranks=${spec%%|*} net=${spec#*|}
  case $net in *Softmax*) data=many.csv loss=categorical_crossentropy ;; Input\(8*) data=deep.csv loss=mse ;;
    *) data=wide.csv loss=mse ;; esac
  "$HESSNET" init --network "$net" --seed 1 --out m.json > /dev/null
  for np in $ranks; do
    check_peak "$np" "hessian [$net]" hessian --model m.json --data "$data" --loss "$loss" --grad g.npy --hessian H.npy
  done
done
for np in 1 2; do check_peak "$np" "train [$wide1000]" train --network "$wide1000" --data wide.csv --epochs 1 --quiet; done
check_peak 2 "train mixed [$deep]" train --network "$deep" --data deep.csv --epochs 2 --precision mixed --quiet
# The overlapped reduction's second panel buffer and receive blocks are planned too.
"$HESSNET" init --network "$wide2000" --seed 1 --out m.json > /dev/null
check_peak 2 "hessian --overlap on [$wide2000]" hessian --model m.json --data wide.csv --loss mse --grad g.npy \
  --hessian H.npy --overlap on
check_peak 2 "train --overlap on [$deep]" train --network "$deep" --data deep.csv --epochs 1 --overlap on --quiet
# The eigensolver's matrices and workspace (spectrum, --log-curvature) are planned too.
"$HESSNET" init --network "$many" --seed 1 --out m.json > /dev/null
for np in 1 2; do
  check_peak "$np" "spectrum [$many]" spectrum --model m.json --data many.csv --loss categorical_crossentropy --out ev.npy
done
check_peak 2 "train --log-curvature [$many]" train --network "$many" --data many.csv --loss categorical_crossentropy \
  --epochs 1 --log-curvature --log curvature.csv --quiet

# Refusal: before any heavy allocation, on every rank, with the numbers.
"$HESSNET" init --network "$wide2000" --seed 1 --out m.json > /dev/null
refused() {
  local np=$1; shift
  rm -f g.npy H.npy
  if timeout 60 "$MPIEXEC" -np "$np" --oversubscribe "$@" > out.txt 2> err.txt; then fail "not refused: $*"; fi
  grep -q 'needs [0-9.]* GiB per rank but only [0-9.]* GiB is available per rank: run on more ranks' err.txt ||
    { cat err.txt; fail "no refusal message: $*"; }
  [ "$(grep -c 'hessnet: error' err.txt)" -eq 1 ] || { cat err.txt; fail "not one error line: $*"; }
  [ ! -e g.npy ] && [ ! -e H.npy ] || fail "output written although refused: $*"
}
refused 1 "$HESSNET" --memory-limit 200MiB hessian --model m.json --data wide.csv --grad g.npy --hessian H.npy
refused 2 env HESSNET_MEMORY_LIMIT=0.2GiB "$HESSNET" hessian --model m.json --data wide.csv --grad g.npy --hessian H.npy
refused 2 "$HESSNET" --memory-limit 200MiB train --network "$wide2000" --data wide.csv --epochs 1 --save g.npy
grep -o 'needs.*per rank:' err.txt
if "$HESSNET" --memory-limit 12parsecs hessian --model m.json --data wide.csv 2> err.txt; then fail "bad size taken"; fi
grep -q "memory size '12parsecs'" err.txt || { cat err.txt; fail "bad size: no message"; }
echo "memory plan holds"
