#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The signal and requeue plumbing of slurm/train.sbatch on a real single-node Slurm, with a
# stand-in for `hessnet train` that checkpoints on USR1: the USR1 that Slurm sends the batch
# shell before the time limit (simulated with scancel --batch) reaches every task, under
# srun and under mpirun, and through the filled-in multi-node template; with REQUEUE=1 the job
# is requeued and resumes from the checkpoint.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged mpirun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

start_private_slurm 20000 5000

# The stand-in trainer: records its arguments; on USR1 writes a "checkpoint" per rank (and
# checkpoint.json on rank 0, which makes train.sbatch resume) and exits 0; started with
# --resume it exits at once. (tests/cli/slurm_checkpoint.sh runs the real trainer.)
cat >"$tmp/fake-hessnet" <<'FAKE'
#!/usr/bin/env bash
# Under mpirun every task inherits SLURM_PROCID=0 from the orted that srun started.
rank="${OMPI_COMM_WORLD_RANK:-${SLURM_PROCID:-0}}"
while [ $# -gt 0 ]; do
  case "$1" in --checkpoint) ckpt="$2" ;; --save) out="$(dirname "$2")" ;; esac
  shift
done
args="$(cat /proc/$$/cmdline | tr '\0' ' ')"
echo "$args" >"$out/args.$rank.${SLURM_RESTART_COUNT:-0}"
case "$args" in *--resume*) exit 0 ;; esac
trap 'echo "rank $rank" >"$ckpt/checkpoint.$rank"; [ "$rank" != 0 ] || echo "{}" >"$ckpt/checkpoint.json"; exit 0' USR1
touch "$out/started.$rank"
for _ in $(seq 900); do sleep 0.1; done
exit 3
FAKE
chmod +x "$tmp/fake-hessnet"

fail() { echo "FAIL: $*"; for f in "$tmp"/*/job.out; do sed "s|^|  $f: |" "$f"; done; exit 1; }
requeued() { scontrol show job -o "$1" 2>/dev/null | grep -q "JobState=PENDING.*Restarts=1"; }
job_gone() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }

run_case() {  # run_case NAME LAUNCHER REQUEUE [BATCH_SCRIPT]
  local dir="$tmp/$1" job script="${4:-$root/slurm/train.sbatch}"
  mkdir -p "$dir"
  cat >"$dir/run.env" <<ENV
HESSNET="$tmp/fake-hessnet"
NETWORK="Input(2) >> Sigmoid(1)"
DATA=unused.csv
OUT_DIR="$dir/out"
CHECKPOINT_DIR="$dir/checkpoints"
LAUNCHER=$2
REQUEUE=$3
ENV
  job="$(cd "$dir" && HESSNET_ROOT="$root" sbatch --parsable --ntasks=2 --time=3 --output="$dir/job.out" \
    "$script" "$dir/run.env")"
  wait_until 30 "$1: both tasks to start" test -f "$dir/out/started.0" -a -f "$dir/out/started.1"
  scancel --signal=USR1 --batch "$job"
  if [ "$3" = 1 ]; then
    # Slurm holds a requeued batch job back for about two minutes; let it start now, or
    # rather a little later: slurmd refuses to launch a job it is still killing ("Job N
    # already killed, do not launch batch job").
    wait_until 30 "$1: the requeue" requeued "$job"
    sleep 3
    scontrol update JobId="$job" StartTime=now
    wait_until 30 "$1: the requeued run" test -f "$dir/out/args.0.1"
  fi
  wait_until 60 "$1: the job to end" job_gone "$job"
  for rank in 0 1; do
    [ -f "$dir/checkpoints/checkpoint.$rank" ] || fail "$1: rank $rank got no USR1"
  done
  grep -q -- "--checkpoint $dir/checkpoints --checkpoint-every 1" "$dir/out/args.0.0" || fail "$1: no --checkpoint"
  grep -q "step exited with status 0" "$dir/job.out" || fail "$1: the step did not exit cleanly"
}

run_case srun srun 0
run_case mpirun mpirun 0
run_case requeue srun 1
# The multi-node template, filled in for this one node, runs train.sbatch with its signals.
sed -e s/__NODES__/1/ -e s/__TASKS_PER_NODE__/2/ -e s/__CPUS_PER_TASK__/1/ -e s/__TIME__/5/ \
  -e s/__PARTITION__/local/ "$root/slurm/multinode-template.sbatch" >"$tmp/multinode.sbatch"
! grep -q "^#SBATCH.*__" "$tmp/multinode.sbatch" || fail "placeholders left: $(grep "^#SBATCH.*__" "$tmp/multinode.sbatch")"
run_case multinode srun 0 "$tmp/multinode.sbatch"
grep -q -- "--resume $tmp/requeue/checkpoints" "$tmp/requeue/out/args.0.1" || fail "the requeued run did not resume"
grep -q "requeueing job" "$tmp/requeue/job.out" || fail "no requeue message"
echo "PASS: slurm_signals"
