#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hessnet train --log-curvature on 1, 2 and 4 ranks: the min_eigenvalue column is the smallest
# eigenvalue (numpy eigvalsh) of `hessnet hessian`'s matrix at the parameters before each
# update, and the trained parameters are those of a run without the option.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

# 200 digits, a 64-4-10 network (N = 310), a tanh layer: indefinite Hessians.
head -n 201 "$PROJECT_ROOT/data/digits-train.csv" > "$work/digits.csv"
"$HESSNET" init --network "Input(64) >> Tanh(4) >> Softmax(10)" --seed 2 --out "$work/m0.json" > /dev/null
common=(--data "$work/digits.csv" --loss categorical_crossentropy --regularizer l2:0.001 --penalty 0.1 --quiet)
# The parameters before updates 1, 2, 3 and their Hessians.
for epochs in 1 2; do
  "$HESSNET" train --model "$work/m0.json" "${common[@]}" --epochs "$epochs" --save "$work/m$epochs.json" > /dev/null
done
for k in 0 1 2; do
  "$HESSNET" hessian --model "$work/m$k.json" --data "$work/digits.csv" --loss categorical_crossentropy \
    --regularizer l2:0.001 --hessian "$work/h$k.npy" > /dev/null
done

for ranks in 1 2 4; do
  timeout 60 "$MPIEXEC" -np "$ranks" "$HESSNET" train --model "$work/m0.json" "${common[@]}" --epochs 3 \
    --log-curvature --log "$work/curvature$ranks.csv" --save "$work/curvature$ranks.json" > /dev/null
  timeout 60 "$MPIEXEC" -np "$ranks" "$HESSNET" train --model "$work/m0.json" "${common[@]}" --epochs 3 \
    --save "$work/plain$ranks.json" > /dev/null
  "$PYTHON" - "$work" "$ranks" <<'PY' || fail "$ranks ranks"
import csv, json, sys
import numpy as np
work, ranks = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{work}/curvature{ranks}.csv")))
assert "min_eigenvalue" in rows[0], "no min_eigenvalue column"
worst = 0.0
for k, row in enumerate(rows):
    want = np.linalg.eigvalsh(np.load(f"{work}/h{k}.npy"))[0]
    got = float(row["min_eigenvalue"])
    worst = max(worst, abs(got - want) / abs(want))
def params(name):
    m = json.load(open(f"{work}/{name}.json"))
    return np.concatenate([np.ravel(np.array(l["weight"] + [l["bias"]])) for l in m["layers"]])
a, b = params(f"plain{ranks}"), params(f"curvature{ranks}")
step = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
print(f"  {ranks} ranks: min_eigenvalue {', '.join(r['min_eigenvalue'] for r in rows)}; "
      f"vs numpy {worst:.3g}, parameters vs without the option {step:.3g} (max relative)")
assert worst <= 1e-9 and step <= 1e-12
PY
done
# Not for the diagonal method: one line, exit 1.
status=0
"$HESSNET" train --model "$work/m0.json" "${common[@]}" --epochs 1 --optimizer hessian-diagonal --log-curvature \
  > /dev/null 2> "$work/err" || status=$?
[ "$status" = 1 ] && grep -q "^hessnet: error: --log-curvature needs --optimizer hessian" "$work/err" ||
  fail "--log-curvature with hessian-diagonal: exit $status: $(cat "$work/err")"
echo "log_curvature: ok"
