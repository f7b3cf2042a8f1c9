#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# slurm/hessian.sbatch on a real single-node Slurm: the Hessian and its spectrum of a small
# digits model on 2 tasks, with srun --mpi=pmix and with mpirun; the eigenvalues agree with
# numpy's eigvalsh of the exported Hessian.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
python="${PYTHON:-/usr/bin/python3}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fail() { echo "FAIL: $*"; for f in "$tmp"/job-*.out; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
"$hessnet" --help 2>&1 | grep -q '^  spectrum ' || { echo "FAIL: 'hessnet spectrum' is not registered in src/cli/main.cpp"; exit 1; }

start_private_slurm 20000 5000

head -n 301 "$root/data/digits-train.csv" >"$tmp/digits.csv"
"$hessnet" init --network "Input(64) >> Tanh(4) >> Softmax(10)" --seed 2 --out "$tmp/model.json" >/dev/null
cd "$tmp"
for launcher in srun mpirun; do
  status=0
  timeout 100 env MODEL="$tmp/model.json" DATA="$tmp/digits.csv" LOSS=categorical_crossentropy \
    REGULARIZER=l2:0.01 HESSNET="$hessnet" LAUNCHER="$launcher" OUT_DIR="$tmp/$launcher" BLOCK=16 VERBOSE=1 \
    WHAT="$([ "$launcher" = srun ] && echo "hessian spectrum" || echo spectrum)" \
    sbatch --wait --quiet --ntasks=2 --time=3 --output="$tmp/job-$launcher.out" \
    "$root/slurm/hessian.sbatch" || status=$?
  [ "$status" -eq 0 ] || fail "the $launcher job returned $status"
  grep -q "^negative: " "$tmp/job-$launcher.out" || fail "no spectrum summary in the $launcher job's output"
done

if "$python" -c "import numpy" 2>/dev/null; then
  "$python" - "$tmp" <<'PY' || fail "eigenvalues differ"
import sys
import numpy as np
tmp = sys.argv[1]
want = np.linalg.eigvalsh(np.load(f"{tmp}/srun/hessian.npy"))
for launcher in ("srun", "mpirun"):
    got = np.load(f"{tmp}/{launcher}/eigenvalues.npy")
    err = np.abs(got - want).max() / np.abs(want).max()
    assert err < 1e-10, (launcher, err)
print(f"N = {want.size}: srun and mpirun eigenvalues match numpy")
PY
fi
echo "PASS: slurm_hessian"
