# SPDX-License-Identifier: MIT
# Bad input to hessnet train and predict: a one-line error and a non-zero exit, on one process
# and under mpirun -np 2 (where no rank may be left hanging: timeout 60 would say 124).
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
net="Input(64) >> Sigmoid(4) >> Softmax(10)"
printf 'a,b,c\n1,2,3\n4,5,6\n' > "$work/three_columns.csv"
"$HESSNET" init --network "$net" --out "$work/model.json" > /dev/null

# expect_failure "what the message must contain" hessnet-arguments...: checks one process, then
# mpirun -np 2, in the background (a failing mpirun spends a second or two in Open MPI's abort);
# a failure leaves its report in $work/failed.N.
case_number=0
expect_failure() {
  local expected=$1
  shift
  case_number=$((case_number + 1))
  while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n || true; done
  check_case "$case_number" "$expected" "$@" &
}
check_case() {
  local n=$1 expected=$2
  shift 2
  local err=$work/err.$n status=0
  "$HESSNET" "$@" > /dev/null 2> "$err" || status=$?
  if [ "$status" = 0 ] || [ "$(wc -l < "$err")" != 1 ] || ! grep -q "^hessnet: error: .*$expected" "$err"; then
    { echo "one process, hessnet $*: exit $status, stderr:"; cat "$err"; } > "$work/failed.$n"
    return
  fi
  status=0
  timeout 60 "$MPIEXEC" -np 2 "$HESSNET" "$@" > /dev/null 2> "$err" || status=$?
  if [ "$status" = 0 ] || [ "$status" = 124 ] || [ "$(grep -c '^hessnet: error' "$err")" != 1 ] ||
     ! grep -q "^hessnet: error: .*$expected" "$err"; then
    { echo "mpirun -np 2, hessnet $*: exit $status, stderr:"; cat "$err"; } > "$work/failed.$n"
  fi
}

train="train --loss categorical_crossentropy --epochs 2"
expect_failure "missing.csv" $train --network "$net" --data "$work/missing.csv"
expect_failure "unknown loss 'nope'" train --network "$net" --data "$data/digits-train.csv" --loss nope
expect_failure "epochs must be > 0, got 0" train --network "$net" --data "$data/digits-train.csv" --epochs 0
expect_failure "epochs must be > 0, got -3" train --network "$net" --data "$data/digits-train.csv" --epochs -3
expect_failure "bad layer" $train --network "Input(64) >> Sigmoid(4) >> Softmax(10" --data "$data/digits-train.csv"
expect_failure "unknown" $train --network "Input(64) >> Sigmoid(4) >> Softplux(10)" --data "$data/digits-train.csv"
expect_failure "65 columns" $train --network "Input(63) >> Sigmoid(4) >> Softmax(10)" --data "$data/digits-train.csv"
expect_failure "three_columns.csv' has 3 columns" $train --network "$net" --data "$data/digits-train.csv" \
  --test "$work/three_columns.csv"
expect_failure "missing-test.csv" $train --network "$net" --data "$data/digits-train.csv" --test "$work/missing-test.csv"
expect_failure "penalty_const must be a finite number >= 0, got -1" $train --model "$work/model.json" \
  --data "$data/digits-train.csv" --penalty -1
expect_failure "unknown --optimizer 'sgd'" $train --model "$work/model.json" --data "$data/digits-train.csv" --optimizer sgd
expect_failure "min_eigval must be in (0, 1], got 2" $train --model "$work/model.json" --data "$data/digits-train.csv" \
  --optimizer hessian-diagonal --min-eigval 2
expect_failure "--seed: must be >= 0, got -1" $train --model "$work/model.json" --data "$data/digits-train.csv" --seed -1
expect_failure "--regularizer l2 needs a decay rate, e.g. l2:0.01" $train --model "$work/model.json" \
  --data "$data/digits-train.csv" --regularizer l2
expect_failure "only ':all' may follow the decay rate" $train --model "$work/model.json" \
  --data "$data/digits-train.csv" --regularizer l2:0.1:foo
# An option of another optimizer is refused, not silently ignored (a forgotten --optimizer).
expect_failure "--mu is an option of --optimizer levenberg-marquardt, not of hessian" $train \
  --model "$work/model.json" --data "$data/digits-train.csv" --mu 5 --lm-retry
expect_failure "--penalty is an option of --optimizer hessian, not of trust-region" $train \
  --model "$work/model.json" --data "$data/digits-train.csv" --optimizer trust-region --penalty 50
expect_failure "--eta is an option of --optimizer trust-region, not of levenberg-marquardt" $train \
  --model "$work/model.json" --data "$data/digits-train.csv" --optimizer levenberg-marquardt --eta 0.2
# hessian-diagonal builds no distributed Hessian: its layout and precision options are refused.
expect_failure "--grid sets up the distributed Hessian, which --optimizer hessian-diagonal does not build" $train \
  --model "$work/model.json" --data "$data/digits-train.csv" --optimizer hessian-diagonal --grid 1x1
expect_failure "--precision sets up the distributed Hessian" $train --model "$work/model.json" \
  --data "$data/digits-train.csv" --optimizer hessian-diagonal --precision double
expect_failure "--mu-max needs --lm-retry" $train --model "$work/model.json" --data "$data/digits-train.csv" \
  --optimizer levenberg-marquardt --mu-max 1e6
expect_failure "--checkpoint-every requires --checkpoint" $train --model "$work/model.json" \
  --data "$data/digits-train.csv" --checkpoint-every 2
expect_failure "--max-fail needs validation data" $train --model "$work/model.json" --data "$data/digits-train.csv" \
  --max-fail 3
expect_failure "directory" $train --model "$work/model.json" --data "$data/digits-train.csv" --save "$work/no/dir/m.json"
expect_failure "missing.json" predict --model "$work/missing.json" --data "$data/digits-test.csv" --out "$work/p.csv"
expect_failure "has 3 columns, the network takes 64 inputs" predict --model "$work/model.json" \
  --data "$work/three_columns.csv" --out "$work/p.csv"
# Fewer samples than ranks: one process trains, two refuse on every rank.
printf '0,0,0\n' > "$work/one_sample.csv"
status=0
timeout 60 "$MPIEXEC" -np 2 "$HESSNET" train --network "Input(2) >> Sigmoid(2) >> Sigmoid(1)" \
  --data "$work/one_sample.csv" --epochs 1 > /dev/null 2> "$work/err" || status=$?
if [ "$status" = 0 ] || [ "$status" = 124 ] || ! grep -q '^hessnet: error: .*fewer than the 2 MPI ranks' "$work/err"; then
  echo "one sample on two ranks: exit $status"; cat "$work/err"; exit 1
fi
wait
if ls "$work"/failed.* > /dev/null 2>&1; then
  cat "$work"/failed.*
  exit 1
fi
echo "train_bad_input: ok ($case_number cases)"
