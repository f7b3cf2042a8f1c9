# SPDX-License-Identifier: MIT
# hessnet train on the bundled digits under mpirun -np 2: the model file and the per-epoch
# log are written and well-formed, and the test loss and accuracy are printed.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"

run_train() {  # optimizer-specific arguments follow
  OPENBLAS_NUM_THREADS=1 timeout 120 "$MPIEXEC" -np 2 "$HESSNET" train \
    --network "Input(64) >> Sigmoid(8) >> Softmax(10)" --seed 1 \
    --data "$data/digits-train.csv" --test "$data/digits-test.csv" --loss categorical_crossentropy \
    --epochs 4 --show-epoch 2 "$@"
}

run_train --penalty 0.1 --shuffle --save "$work/model.json" --log "$work/train.csv" > "$work/stdout.txt"
grep -Eq '^test loss [0-9.e+-]+, test accuracy [0-9.]+ \([0-9]+ of 359\)$' "$work/stdout.txt" \
  || { echo "no test accuracy line in:"; cat "$work/stdout.txt"; exit 1; }
grep -q '^final train loss ' "$work/stdout.txt"
# Verbose epoch lines: the first, every 2nd and the last: #1, #2, #4.
[ "$(grep -Eo '^#[0-9]+ : \[[0-9.]+ (ms|sec)\] train: [0-9.]+, valid: [0-9.]+$' "$work/stdout.txt" | cut -d' ' -f1 | tr '\n' ' ')" = "#1 #2 #4 " ] \
  || { echo "expected epoch lines #1... in:"; cat "$work/stdout.txt"; exit 1; }
grep -q '^\[OPTION\] penalty_const = 0.1$' "$work/stdout.txt"

"$PYTHON" - "$work/model.json" "$work/train.csv" <<'PY'
import csv, json, math, sys
model = json.load(open(sys.argv[1]))
assert model["format"] == "hessnet.model/1" and model["input"] == 64, model.keys()
assert [l["type"] for l in model["layers"]] == ["Sigmoid", "Softmax"]
assert len(model["layers"][0]["weight"]) == 64 and len(model["layers"][0]["weight"][0]) == 8
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0] == ["epoch", "train_loss", "valid_loss", "accuracy", "lambda", "escalations",
                   "seconds_assembly", "seconds_solve", "seconds_total", "factorizations", "evaluations",
                   "radius", "mu", "stop_reason"], rows[0]
assert [int(r[0]) for r in rows[1:]] == [1, 2, 3, 4], rows
assert [r[13] for r in rows[1:]] == ["", "", "", "epochs"], rows  # the last row says why training ended
for r in rows[1:]:
    assert len(r) == 14, r
    assert int(r[9]) >= 1 and r[11] == "" and r[12] == "", r  # factorizations; no radius or mu for hessian
    values = [float(v) for v in r[:9]]
    assert all(math.isfinite(v) for v in values), r
    assert 0 <= values[3] <= 1 and values[4] >= 0.1 and values[8] > 0, r
losses = [float(r[1]) for r in rows[1:]]
assert losses[-1] < losses[0], losses
PY

# The diagonal optimizer: no lambda, and the log still has every epoch.
run_train --optimizer hessian-diagonal --step 0.1 --quiet --log "$work/diag.csv" > "$work/diag.txt"
grep -q '^test loss .*, test accuracy ' "$work/diag.txt"
! grep -q '^#' "$work/diag.txt"  # --quiet: no epoch lines
"$PYTHON" - "$work/diag.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"] and all(r[4] == "" for r in rows[1:]), rows
PY
# The main job's settings: scaled inputs and adaptive damping reach over 90% test accuracy,
# and the saved model (scaling folded into its first layer) predicts raw inputs as well.
OPENBLAS_NUM_THREADS=1 timeout 120 "$MPIEXEC" -np 2 "$HESSNET" train \
  --network "Input(64) >> Sigmoid(32) >> Softmax(10)" --seed 1 \
  --data "$data/digits-train.csv" --test "$data/digits-test.csv" --loss categorical_crossentropy \
  --epochs 20 --adaptive --scale-inputs maxabs --regularizer l2:0.0001 --quiet --save "$work/scaled.json" \
  > "$work/scaled.txt"
accuracy=$(sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p' "$work/scaled.txt")
awk -v a="$accuracy" 'BEGIN { exit !(a > 0.9) }' || { echo "accuracy $accuracy"; exit 1; }
"$HESSNET" predict --model "$work/scaled.json" --data "$data/digits-test.csv" --out "$work/pred.csv" > /dev/null
"$PYTHON" - "$work/pred.csv" "$data/digits-test.csv" "$accuracy" <<'PY'
import numpy as np, sys
pred = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2, skiprows=1)
labels = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)[:, -1]
assert abs((pred.argmax(axis=1) == labels).mean() - float(sys.argv[3])) < 1e-3
PY
echo "train_digits: ok"
