#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# slurm/train.sbatch on a real single-node Slurm (scripts/local-slurm.sh): 2 tasks train
# Input(64) >> Sigmoid(8) >> Softmax(10) on the digits for 3 epochs with srun --mpi=pmix and
# the main job's options (trust region, scaled inputs, a validation split for early stopping);
# the job must succeed and leave a hessnet.model/1 model, a log of 3 epochs and a summary.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged
fail() { echo "FAIL: $*"; [ -f "${tmp:-}/job.out" ] && sed 's/^/  job: /' "$tmp/job.out"; exit 1; }

start_private_slurm 20000 5000

cat >"$tmp/run.env" <<ENV
HESSNET="$hessnet"
NETWORK="Input(64) >> Sigmoid(8) >> Softmax(10)"
DATA="$root/data/digits-train.csv"
TEST="$root/data/digits-test.csv"
LOSS=categorical_crossentropy
EPOCHS=3
OPTIMIZER=trust-region
SCALE_INPUTS=maxabs
VALIDATION_SPLIT=0.15
MAX_FAIL=10
PRECISION=mixed
CSV_HEADER=yes
OUT_DIR="$tmp/out"
ENV
cd "$tmp"
start=$SECONDS
status=0
timeout 110 sbatch --wait --quiet --ntasks=2 --overcommit --time=3 --output="$tmp/job.out" \
  "$root/slurm/train.sbatch" "$tmp/run.env" || status=$?
echo "job finished with status $status in $((SECONDS - start)) s"
[ "$status" -eq 0 ] || fail "sbatch --wait returned $status"

grep -q '"format": *"hessnet.model/1"' "$tmp/out/model.json" || fail "out/model.json is not a hessnet.model/1 file"
head -n 1 "$tmp/out/train.csv" | grep -q '^epoch,train_loss,valid_loss' || fail "log header: $(head -n 1 "$tmp/out/train.csv")"
rows=$(($(wc -l <"$tmp/out/train.csv") - 1))
[ "$rows" -eq 3 ] || fail "log has $rows epochs, want 3"
grep -q "step exited with status 0" "$tmp/job.out" || fail "no clean step exit in the job output"
for option in "--optimizer trust-region" "--scale-inputs maxabs" "--validation-split 0.15" "--max-fail 10" \
  "--precision mixed" "--csv-header yes"; do
  grep -q -- "$option" "$tmp/job.out" || fail "the trainer was not given $option"
done
grep -q '"optimizer": "trust-region"' "$tmp/out/summary.json" || fail "no trust-region out/summary.json"
grep -q '"validation_loss"' "$tmp/out/summary.json" || fail "no validation loss in out/summary.json"
echo "PASS: slurm_train"
