#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --csv-header: the digits CSVs with pandas' default column names (0,1,...,64) as their first
# line, and with no header line at all, train (1 and 2 ranks), test and predict exactly as the
# bundled files with named columns do, once the rule is given; without it the ambiguous line is
# refused (the cases in bad_inputs).
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"

columns=$(seq -s, 0 64)
for set in train test; do
  { echo "$columns"; tail -n +2 "$data/digits-$set.csv"; } > "$work/pandas-$set.csv"
  tail -n +2 "$data/digits-$set.csv" > "$work/bare-$set.csv"
done

train() {  # NAME RANKS ARGS...: trains 2 epochs, saves $work/NAME.json, keeps stdout (losses, test accuracy) in $work/NAME.txt
  local name=$1 ranks=$2
  shift 2
  OPENBLAS_NUM_THREADS=1 timeout 120 "$MPIEXEC" -np "$ranks" "$HESSNET" train \
    --network "Input(64) >> Tanh(6) >> Softmax(10)" --seed 2 --loss categorical_crossentropy --epochs 2 \
    --penalty 0.1 --quiet --save "$work/$name.json" "$@" > "$work/$name.txt" || fail "$name: exit $?"
}
for ranks in 1 2; do
  train named$ranks $ranks --data "$data/digits-train.csv" --test "$data/digits-test.csv"
  train pandas$ranks $ranks --data "$work/pandas-train.csv" --test "$work/pandas-test.csv" --csv-header yes
  train bare$ranks $ranks --data "$work/bare-train.csv" --test "$work/bare-test.csv" --csv-header no
  for name in pandas$ranks bare$ranks; do
    cmp -s "$work/named$ranks.json" "$work/$name.json" || fail "$name.json differs from named$ranks.json"
    diff <(grep -v '^saved' "$work/named$ranks.txt") <(grep -v '^saved' "$work/$name.txt") || fail "$name: other losses"
  done
done
grep -q "test accuracy" "$work/named1.txt" || fail "no test accuracy: $(cat "$work/named1.txt")"

"$HESSNET" predict --model "$work/named1.json" --data "$data/digits-test.csv" --out "$work/named.npy" > /dev/null
"$HESSNET" predict --model "$work/named1.json" --data "$work/pandas-test.csv" --csv-header yes \
  --out "$work/pandas.npy" > /dev/null
"$HESSNET" predict --model "$work/named1.json" --data "$work/bare-test.csv" --csv-header no \
  --out "$work/bare.npy" > /dev/null
cmp -s "$work/named.npy" "$work/pandas.npy" || fail "predictions from the pandas-named CSV differ"
cmp -s "$work/named.npy" "$work/bare.npy" || fail "predictions from the headerless CSV differ"
echo "PASS: csv_header"
