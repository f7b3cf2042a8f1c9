#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `hessnet spectrum` on 1, 2 and 4 ranks (grids 1x1, 1x2, 2x2, block sizes not dividing N):
# the same eigenvalues, equal to numpy's eigvalsh of `hessnet hessian`'s matrix, a consistent
# summary, and clean errors on every rank.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
python="${PYTHON:-/usr/bin/python3}"
export OPENBLAS_NUM_THREADS=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# (`hessnet spectrum --help` would print the main help and succeed: look at the list instead.)
if ! "$hessnet" --help 2>&1 | grep -q '^  spectrum '; then
  fail "'hessnet spectrum' is not registered: declare add_spectrum_command in src/cli/commands.hpp and call it in src/cli/main.cpp"
fi

# 200 digits, a 64-5-10 network: N = 65*5 + 6*10 = 385 parameters.
head -n 201 "$root/data/digits-train.csv" >"$tmp/digits.csv"
"$hessnet" init --network "Input(64) >> Sigmoid(5) >> Softmax(10)" --seed 4 --out "$tmp/model.json" >/dev/null
common=(--model "$tmp/model.json" --data "$tmp/digits.csv" --loss categorical_crossentropy --regularizer l2:0.001)

mpiexec -n 1 "$hessnet" spectrum "${common[@]}" --out "$tmp/eig1.npy" | tee "$tmp/out1.txt"
mpiexec -n 2 "$hessnet" spectrum "${common[@]}" --grid 1x2 --block 7 --out "$tmp/eig2.npy" >"$tmp/out2.txt"
mpiexec -n 4 "$hessnet" spectrum "${common[@]}" --grid 2x2 --block 16 --out "$tmp/eig4.npy" >"$tmp/out4.txt"
mpiexec -n 2 "$hessnet" hessian "${common[@]}" --hessian "$tmp/hessian.npy" >/dev/null

value() { sed -n "s/^$1: \([^ ]*\).*/\1/p" "$2"; }
n="$(value n "$tmp/out1.txt")"
[ "$n" = 385 ] || fail "n is '$n', want 385"
total=$(($(value negative "$tmp/out1.txt") + $(value zero "$tmp/out1.txt") + $(value positive "$tmp/out1.txt")))
[ "$total" = 385 ] || fail "negative + zero + positive = $total, want 385"
for k in 2 4; do
  for key in n negative zero positive; do
    [ "$(value $key "$tmp/out$k.txt")" = "$(value $key "$tmp/out1.txt")" ] || fail "$key differs on $k ranks"
  done
done

if "$python" -c "import numpy" 2>/dev/null; then
  "$python" - "$tmp" "$(value min "$tmp/out1.txt")" "$(value max "$tmp/out1.txt")" <<'PY'
import sys
import numpy as np
tmp, lo, hi = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
want = np.linalg.eigvalsh(np.load(f"{tmp}/hessian.npy"))
scale = np.abs(want).max()
for k in (1, 2, 4):
    got = np.load(f"{tmp}/eig{k}.npy")
    assert got.shape == want.shape, (k, got.shape)
    assert np.all(np.diff(got) >= 0), f"eig{k} not ascending"
    err = np.abs(got - want).max() / scale
    assert err < 1e-10, f"{k} ranks: relative error {err}"
assert abs(lo - want[0]) <= 1e-9 * scale and abs(hi - want[-1]) <= 1e-9 * scale, (lo, hi)
print(f"eigenvalues match numpy on 1, 2, 4 ranks (scale {scale:.3g})")
PY
else
  echo "SKIP (part): no numpy in $python, eigenvalues not compared"
fi

# Errors are reported once, with a non-zero exit, without hanging.
if mpiexec -n 2 "$hessnet" spectrum "${common[@]}" --out "$tmp/missing/eig.npy" >"$tmp/err.txt" 2>&1; then
  fail "an --out in a missing directory succeeded"
fi
grep -q "does not exist" "$tmp/err.txt" || fail "no clear message for a missing directory: $(cat "$tmp/err.txt")"
if mpiexec -n 2 "$hessnet" spectrum "${common[@]}" --grid 3x3 >"$tmp/err.txt" 2>&1; then
  fail "a 3x3 grid on 2 ranks succeeded"
fi
echo "PASS: spectrum_cli"
