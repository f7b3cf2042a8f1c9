#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# slurm/train.sbatch with the real trainer on a real single-node Slurm: the USR1 that Slurm
# sends before the time limit (simulated with scancel --batch) makes `hessnet train` write a
# checkpoint and exit 75; with REQUEUE=1 (srun) the job is requeued, without it (mpirun) it is
# submitted again; either way the next run resumes, and the final model and log equal those of
# an uninterrupted run on as many ranks (1e-12).
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
python="${PYTHON:-/usr/bin/python3}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged mpirun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

start_private_slurm 29000 1800  # below the ephemeral ports (32768 and up)

fail() { echo "FAIL: $*"; for f in "$tmp"/*/job.out; do [ -f "$f" ] && sed "s|^|  $f: |" "$f"; done; exit 1; }
epochs_logged() { [ -f "$1" ] && [ "$(wc -l < "$1")" -gt "$2" ]; }  # more than N lines (header + N-1 epochs)
requeued() { scontrol show job -o "$1" 2>/dev/null | grep -q "JobState=PENDING.*Restarts=1"; }
job_gone() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }

network="Input(64) >> Tanh(3) >> Softmax(10)"
epochs=80
# The uninterrupted run, on 2 ranks like the job.
mpirun -np 2 "$hessnet" train --network "$network" --seed 3 --data "$root/data/digits-train.csv" \
  --loss categorical_crossentropy --penalty 0.1 --adaptive --shuffle -q --epochs "$epochs" \
  --save "$tmp/reference.json" --log "$tmp/reference.csv" > /dev/null

run_case() {  # run_case NAME LAUNCHER REQUEUE
  local dir="$tmp/$1" job
  mkdir -p "$dir"
  cat >"$dir/run.env" <<ENV
HESSNET="$hessnet"
NETWORK="$network"
SEED=3
DATA="$root/data/digits-train.csv"
LOSS=categorical_crossentropy
PENALTY=0.1
SHUFFLE=1
EPOCHS=$epochs
EXTRA_ARGS="--adaptive -q"
OUT_DIR="$dir/out"
CHECKPOINT_DIR="$dir/checkpoints"
CHECKPOINT_EVERY=100
LAUNCHER=$2
REQUEUE=$3
ENV
  job="$(cd "$dir" && HESSNET_ROOT="$root" sbatch --parsable --ntasks=2 --time=3 --output="$dir/job.out" \
    "$root/slurm/train.sbatch" "$dir/run.env")"
  wait_until 60 "$1: a few epochs" epochs_logged "$dir/out/train.csv" 4
  scancel --signal=USR1 --batch "$job"
  if [ "$3" = 1 ]; then
    wait_until 60 "$1: the requeue" requeued "$job"
    # Slurm holds the requeued job back for two minutes; release it a little later (slurmd
    # refuses to launch a job it is still killing: "Job N already killed").
    sleep 3
    scontrol update JobId="$job" StartTime=now
  else
    wait_until 60 "$1: the job to end" job_gone "$job"
    grep -q "step exited with status 75" "$dir/job.out" || fail "$1: the step did not exit with 75 after USR1"
    [ -f "$dir/checkpoints/checkpoint.json" ] || fail "$1: no checkpoint"
    job="$(cd "$dir" && HESSNET_ROOT="$root" sbatch --parsable --ntasks=2 --time=3 --output="$dir/job.out" \
      "$root/slurm/train.sbatch" "$dir/run.env")"
  fi
  wait_until 90 "$1: the resumed run to end" job_gone "$job"
  grep -q "step exited with status 75" "$dir/job.out" || fail "$1: no exit 75 after USR1"
  grep -q -- "--resume $dir/checkpoints" "$dir/job.out" || fail "$1: the second run did not resume"
  grep -q "resuming from $dir/checkpoints/checkpoint.json after epoch" "$dir/job.out" || fail "$1: no resume message"
  [ "$(grep -c "step exited with status 0" "$dir/job.out")" = 1 ] || fail "$1: the resumed run did not finish cleanly"
  "$python" - "$tmp/reference" "$dir/out/model" "$dir/out/train" <<'PY' || fail "$1: differs from the uninterrupted run"
import csv, json, sys
import numpy as np
def params(p):
    m = json.load(open(p + ".json"))
    return np.concatenate([np.ravel(np.array(l["weight"] + [l["bias"]])) for l in m["layers"]])
a, b = params(sys.argv[1]), params(sys.argv[2])
la, lb = list(csv.DictReader(open(sys.argv[1] + ".csv"))), list(csv.DictReader(open(sys.argv[3] + ".csv")))
assert [r["epoch"] for r in la] == [r["epoch"] for r in lb], "the logs have other epochs"
loss = max(abs(float(x["train_loss"]) - float(y["train_loss"])) / float(x["train_loss"]) for x, y in zip(la, lb))
params_diff = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
print(f"  parameters {params_diff:.3g}, train_loss {loss:.3g} (max relative vs uninterrupted, {len(lb)} epochs)")
assert params_diff <= 1e-12 and loss <= 1e-12
PY
  echo "$1: interrupted after epoch $(sed -n 's/.*resuming from .* after epoch \([0-9]*\).*/\1/p' "$dir/job.out"), resumed, ok"
}

run_case srun-requeue srun 1
run_case mpirun-resubmit mpirun 0
echo "PASS: slurm_checkpoint"
