#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `hessnet hessian` writes the same gradient and Hessian on 1, 2, 3 and 4 ranks, from CSV
# and from sharded .npy inputs, and fails cleanly (one line, non-zero, no hang) on bad input.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$HESSNET" init --network "Input(5) >> Tanh(7) >> Sigmoid(4, bias=false) >> Softmax(3)" --seed 4 --out m.json
"$PYTHON" - <<'PY'
import numpy as np
rng = np.random.default_rng(1)
x = rng.normal(size=(37, 5)); label = rng.integers(0, 3, 37)
np.savetxt("d.csv", np.column_stack([x, label]), delimiter=",", header="a,b,c,d,e,label", comments="")
np.save("x.npy", x); np.save("y.npy", np.eye(3)[label])
PY
run() { local np=$1; shift; timeout 120 mpirun -np "$np" --oversubscribe "$HESSNET" hessian --model m.json --loss categorical_crossentropy --regularizer l2:0.01 "$@"; }
run 1 --data d.csv --grad g1.npy --hessian h1.npy --block 4
run 2 --data d.csv --grad g_alone.npy > alone.txt  # no --hessian: the gradient without the N x N matrix
grep -q "gradient only" alone.txt || { echo "--grad alone assembled the Hessian: $(cat alone.txt)"; exit 1; }
for np in 2 3 4; do
  run "$np" --data d.csv --grad g$np.npy --hessian h$np.npy --block 3
  run "$np" --inputs x.npy --targets y.npy --grad gn$np.npy --hessian hn$np.npy --block 5 --grid 1x$np
done
"$PYTHON" - <<'PY'
import numpy as np
h, g = np.load("h1.npy"), np.load("g1.npy")
assert h.shape == (h.shape[0], h.shape[0]) and np.array_equal(h, h.T), "Hessian not symmetric"
for name in ["h2", "h3", "h4", "hn2", "hn3", "hn4"]:
    other = np.load(name + ".npy")
    err = abs(other - h).max() / abs(h).max()
    assert err <= 1e-12, f"{name}: relative difference {err}"
    gerr = abs(np.load(name.replace("h", "g", 1) + ".npy") - g).max() / abs(g).max()
    assert gerr <= 1e-12, f"{name}: gradient difference {gerr}"
gerr = abs(np.load("g_alone.npy") - g).max() / abs(g).max()
assert gerr <= 1e-12, f"--grad alone: gradient difference {gerr}"
print("same Hessian on 1-4 ranks")
PY

# Bad input: one line on stderr, non-zero exit, no hang.
expect_error() {
  local pattern=$1; shift
  if timeout 60 "$@" > out.txt 2> err.txt; then echo "expected failure: $*"; exit 1; fi
  [ $? -ne 124 ] || { echo "hung: $*"; exit 1; }
  grep -q -- "$pattern" err.txt || { echo "message lacks '$pattern':"; cat err.txt; exit 1; }
  [ "$(grep -c 'hessnet: error' err.txt)" -eq 1 ] || { echo "not one error line:"; cat err.txt; exit 1; }
}
head -3 d.csv > tiny.csv
expect_error "fewer than the 4 MPI ranks" mpirun -np 4 --oversubscribe "$HESSNET" hessian --model m.json --data tiny.csv --loss mse --grad g.npy
expect_error "missing.csv" mpirun -np 2 "$HESSNET" hessian --model m.json --data missing.csv --loss mse --grad g.npy
expect_error "unknown loss 'nope'" mpirun -np 2 "$HESSNET" hessian --model m.json --data d.csv --loss nope --grad g.npy
expect_error "d.csv.*not a .npy" mpirun -np 2 "$HESSNET" hessian --model m.json --inputs x.npy --targets d.csv --grad g.npy
echo '{"format": "hessnet.model/1", "input": 5}' > broken.json
expect_error "broken.json" mpirun -np 2 "$HESSNET" hessian --model broken.json --data d.csv --loss mse --grad g.npy
echo "ok"
