# SPDX-License-Identifier: MIT
# hessnet predict: CSV and .npy in and out, one process and mpirun -np 2, against a NumPy
# forward pass of the saved model.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"

OPENBLAS_NUM_THREADS=1 timeout 120 "$HESSNET" train --network "Input(64) >> Tanh(6) >> Softmax(10)" --seed 2 \
  --data "$data/digits-train.csv" --loss categorical_crossentropy --epochs 2 --penalty 0.1 --quiet \
  --save "$work/model.json" > /dev/null

# The test set with its label column (ignored), and its inputs alone as .npy.
"$HESSNET" predict --model "$work/model.json" --data "$data/digits-test.csv" --out "$work/pred.csv" > /dev/null
"$PYTHON" -c "import numpy as np, sys; np.save(sys.argv[2], np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)[:, :64])" \
  "$data/digits-test.csv" "$work/x.npy"
timeout 60 "$MPIEXEC" -np 2 "$HESSNET" predict --model "$work/model.json" --data "$work/x.npy" --out "$work/pred.npy" \
  > "$work/stdout.txt"
grep -q '^wrote 359 predictions of 10 outputs to ' "$work/stdout.txt"

"$PYTHON" - "$work/model.json" "$data/digits-test.csv" "$work/pred.csv" "$work/pred.npy" <<'PY'
import json, sys
import numpy as np
model = json.load(open(sys.argv[1]))
a = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)[:, :64]
for layer in model["layers"]:
    z = a @ np.array(layer["weight"]) + np.array(layer["bias"])
    a = np.tanh(z) if layer["type"] == "Tanh" else np.exp(z - z.max(1, keepdims=True))
    if layer["type"] == "Softmax":
        a /= a.sum(1, keepdims=True)
with open(sys.argv[3]) as f:
    assert f.readline().strip() == ",".join(f"y{j}" for j in range(10))
from_csv = np.loadtxt(sys.argv[3], delimiter=",", skiprows=1)
from_npy = np.load(sys.argv[4])
assert from_csv.shape == (359, 10) and from_npy.shape == (359, 10)
assert np.array_equal(from_csv, from_npy), abs(from_csv - from_npy).max()
assert np.allclose(from_csv, a, rtol=1e-12, atol=1e-14), abs(from_csv - a).max()
PY
echo "predict_roundtrip: ok"
