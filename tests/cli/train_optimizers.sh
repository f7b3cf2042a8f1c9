# SPDX-License-Identifier: MIT
# hessnet train end to end with the optimizers beyond neupy's Hessian and every stop rule, on
# 2 ranks: the main job's settings reach scikit-learn's L-BFGS test accuracy on digits, each
# stop rule ends training at its epoch with its reason printed and logged, Levenberg-Marquardt
# in trainlm's mode never raises the loss, and a resumed trust-region run equals an
# uninterrupted one.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"

train() {  # 2 ranks, one BLAS thread each; arguments follow
  OPENBLAS_NUM_THREADS=1 timeout 300 "$MPIEXEC" -np 2 "$HESSNET" train "$@"
}
digits=(--network "Input(64) >> Sigmoid(32) >> Softmax(10)" --seed 1 --data "$data/digits-train.csv"
  --test "$data/digits-test.csv" --loss categorical_crossentropy --scale-inputs maxabs
  --regularizer l2:0.0001)
fit1d=(--network "Input(1) >> Tanh(20) >> Linear(1)" --seed 1 --data "$data/fit1d-train.csv" --loss mse)

# Column of the last log row ($2: 0-based index) and the number of epoch rows.
last_field() { "$PYTHON" -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(r[-1][int(sys.argv[2])])' "$@"; }
logged_epochs() { echo $(($(wc -l < "$1") - 1)); }

# 1. The main job (scripts/train-digits.sh): trust region, early stopping on a validation split
#    carved from the training rows. scikit-learn's MLPClassifier(solver="lbfgs") of this shape
#    on this split reaches 0.975-0.978 (bench/convergence/results.md).
train "${digits[@]}" --epochs 100 --optimizer trust-region --validation-split 0.15 --max-fail 10 \
  --quiet --save "$work/main.json" --log "$work/main.csv" --summary "$work/main-summary.json" > "$work/main.txt"
accuracy=$(sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p' "$work/main.txt")
awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.975) }' || fail "main job test accuracy $accuracy < 0.975"
reason=$(last_field "$work/main.csv" 13)
[ "$reason" = max_fail ] || [ "$reason" = epochs ] || fail "main job stop_reason '$reason'"
[ "$(last_field "$work/main.csv" 11)" != "" ] || fail "no trust radius in the log"
# The JSON summary says the same as the printed lines and the log's last row.
"$PYTHON" - "$work/main-summary.json" "$reason" "$accuracy" "$(logged_epochs "$work/main.csv")" << 'EOF' ||
import json, sys
s = json.load(open(sys.argv[1]))
assert s["format"] == "hessnet.summary/1" and s["optimizer"] == "trust-region", s
assert s["stop_reason"] == sys.argv[2], (s["stop_reason"], sys.argv[2])
assert abs(s["test_accuracy"] - float(sys.argv[3])) < 5e-5, (s["test_accuracy"], sys.argv[3])
assert s["last_epoch"] == int(sys.argv[4]) and s["n_updates_made"] >= 1 and s["best_epoch"] <= s["last_epoch"], s
assert s["model"].endswith("main.json") and s["seconds"] > 0 and "validation_loss" in s, s
EOF
  fail "--summary disagrees with the printed lines or the log"
echo "main job: test accuracy $accuracy, $(logged_epochs "$work/main.csv") epochs, stop_reason $reason"

# 2. Each stop rule ends training with its reason in the printed line and the log's last row.
expect_stop() {  # reason, then train arguments
  local reason=$1; shift
  train "$@" --log "$work/$reason.csv" > "$work/$reason.txt"
  grep -Eq "^stopped after epoch [0-9]+ \($reason\)" "$work/$reason.txt" \
    || fail "no 'stopped after epoch N ($reason)' line in: $(cat "$work/$reason.txt")"
  [ "$(last_field "$work/$reason.csv" 13)" = "$reason" ] || fail "stop_reason is not $reason"
}
expect_stop goal "${fit1d[@]}" --optimizer trust-region --epochs 300 --goal 1e-3 --quiet
[ "$(logged_epochs "$work/goal.csv")" -lt 300 ] || fail "--goal did not stop early"
expect_stop min_grad "${fit1d[@]}" --optimizer levenberg-marquardt --lm-retry --epochs 500 --min-grad 1e-4 --quiet
expect_stop time_limit "${fit1d[@]}" --optimizer hessian --epochs 100000 --time-limit 1 --quiet
expect_stop max_fail --network "Input(64) >> Sigmoid(32) >> Softmax(10)" --seed 1 --data "$data/digits-train.csv" \
  --loss categorical_crossentropy --scale-inputs maxabs --optimizer trust-region --epochs 100 \
  --validation-split 0.15 --max-fail 2 --quiet
grep -q '^kept the model of epoch ' "$work/max_fail.txt" || fail "early stopping did not restore the best model"

# 3. Levenberg-Marquardt as trainlm (--mu 0.001 --mu-update-factor 10 --lm-retry): the train loss
#    never rises, mu is logged, and the fit gets below 1e-5.
train "${fit1d[@]}" --optimizer levenberg-marquardt --mu 0.001 --mu-update-factor 10 --lm-retry \
  --epochs 100 --quiet --log "$work/lm.csv" > /dev/null
"$PYTHON" - "$work/lm.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))[1:]
loss = [float(r[1]) for r in rows]
assert all(b <= a for a, b in zip(loss, loss[1:])), loss
assert all(r[12] != "" for r in rows), "mu is logged every epoch"
assert loss[-1] < 1e-5, loss[-1]
PY

# 4. A trust-region run checkpointed at epoch 4 and resumed to 8 equals 8 uninterrupted epochs.
train "${fit1d[@]}" --optimizer trust-region --epochs 8 --quiet --save "$work/whole.json" > /dev/null
train "${fit1d[@]}" --optimizer trust-region --epochs 4 --quiet --checkpoint "$work/ckpt" > /dev/null
train "${fit1d[@]}" --optimizer trust-region --epochs 8 --quiet --resume "$work/ckpt" \
  --save "$work/resumed.json" > /dev/null
cmp -s "$work/whole.json" "$work/resumed.json" || fail "resumed trust-region model differs"
echo "train_optimizers: ok"
