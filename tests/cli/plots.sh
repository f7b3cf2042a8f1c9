#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/plot_training.py and scripts/plot_spectrum.py turn small inputs into PNG files,
# with and without a validation column, with the curvature column, and with negative,
# zero and positive eigenvalues.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c "import numpy, matplotlib" 2>/dev/null; then
  echo "SKIP: $python lacks numpy or matplotlib (apt-get install python3-numpy python3-matplotlib)"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

header=epoch,train_loss,valid_loss,accuracy,lambda,escalations,seconds_assembly,seconds_solve,seconds_total
{
  echo "$header"
  echo "1,2.30,2.31,0.12,0.001,0,0.1,0.2,0.3"
  echo "2,1.10,1.25,0.55,0.01,1,0.1,0.2,0.3"
  echo "3,0.40,0.52,0.81,0.001,0,0.1,0.2,0.3"
} >"$tmp/with-valid.csv"
{
  echo "$header"
  echo "1,2.30,,,0,0,0.1,0.2,0.3"
  echo "2,0.90,,,0.1,3,0.1,0.2,0.3"
} >"$tmp/no-valid.csv"
{
  echo "$header,min_eigenvalue"
  echo "1,2.30,,,1,0,0.1,0.2,0.3,-0.52"
  echo "2,0.90,,,1,0,0.1,0.2,0.3,-0.003"
  echo "3,0.40,,,1,0,0.1,0.2,0.3,0.0001"
} >"$tmp/curvature.csv"
"$python" -c "
import numpy as np
rng = np.random.default_rng(1)
ev = np.concatenate([-np.logspace(-4, 0, 20), np.zeros(3), np.logspace(-6, 3, 100) * rng.uniform(0.5, 2, 100)])
np.save('$tmp/eig.npy', np.sort(ev))
np.save('$tmp/one.npy', np.array([2.5]))
"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "FAIL: $1 is not a PNG"; exit 1; }; }
for log in with-valid no-valid curvature; do
  "$python" "$root/scripts/plot_training.py" "$tmp/$log.csv" -o "$tmp/$log.png"
  is_png "$tmp/$log.png"
done
for eig in eig one; do
  "$python" "$root/scripts/plot_spectrum.py" "$tmp/$eig.npy" -o "$tmp/$eig.png" | tee "$tmp/$eig.out"
  is_png "$tmp/$eig.png"
done
grep -q "20 negative, 3 zero, 100 positive" "$tmp/eig.out" || { echo "FAIL: wrong counts"; exit 1; }
if "$python" "$root/scripts/plot_training.py" "$tmp/missing.csv" -o "$tmp/x.png" 2>/dev/null; then
  echo "FAIL: a missing log did not fail"
  exit 1
fi
echo "PASS: plots"
