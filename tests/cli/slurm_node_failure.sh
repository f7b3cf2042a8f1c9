#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A node failing under a two-node training job (slurm/train.sbatch, srun --mpi=pmix, 1 task on
# each of n1 and n2 of a private two-node Slurm, a checkpoint after every epoch), two ways:
#   rank: kill -9 of the rank on n2; srun's --kill-on-bad-exit ends the step;
#   node: kill -9 of everything of n2 (its slurmd, its slurmstepd, the rank), as a crash
#         would; slurmctld finds n2 not responding, sets it DOWN and ends the job.
# Either way the job ends soon after (measured and printed; at most 60 s), nothing of it keeps
# running, the checkpoint still parses and holds the last completed epoch, and a new job on
# ONE node (-N 1, 1 task) resumes from it to the full epoch count, with a final model and log
# equal to an uninterrupted run on 2 ranks (mpirun outside Slurm) to 1e-9 relative. The runs
# factor in float64 (--precision double): the mixed-precision default takes its damping
# escalations from float32 pivots, whose rounding depends on the rank count (1 vs 2 ranks then
# agree to ~1e-8 after 30 epochs, not to float64 rounding).
#
# Timing: the surviving rank is blocked in a collective with the dead one (Open MPI 4.1's TCP
# transport does not report a vanished peer to a rank waiting to receive), so the SIGTERM with
# which Slurm ends the step only sets hessnet's stop flag, and the rank dies by the SIGKILL
# KillWait seconds later (30 s by default; 5 here). slurmctld notices a dead slurmd after
# SlurmdTimeout (300 s by default; 10 here, which it acted on after about 30 s).
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
python="${PYTHON:-/usr/bin/python3}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged mpirun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
fail() { echo "FAIL: $*"; for f in "${tmp:-/nonexistent}"/*/job*.out; do [ -f "$f" ] && sed "s|^|  $f: |" "$f"; done; exit 1; }

export LOCAL_SLURM_CONF_EXTRA="SlurmdTimeout=10 KillWait=5"
start_private_slurm 13000 1000 2  # ports 13000-15999: apart from the other Slurm tests
slurmd_timeout="$(scontrol show config | awk '$1 == "SlurmdTimeout" { print $3 }')"
kill_wait="$(scontrol show config | awk '$1 == "KillWait" { print $3 }')"

network="Input(64) >> Tanh(16) >> Softmax(10)"
epochs=30
common=(--network "$network" --seed 3 --data "$root/data/digits-train.csv" --loss categorical_crossentropy
        --penalty 0.1 --precision double)
(unset SLURM_CONF; timeout 120 mpirun -np 2 "$hessnet" train "${common[@]}" --epochs "$epochs" -q \
  --save "$tmp/reference.json" --log "$tmp/reference.csv" >/dev/null) || fail "the uninterrupted run failed"

job_gone() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
logged() { [ -f "$1" ] && [ "$(wc -l <"$1")" -gt "$2" ]; }  # more than N lines: header + N epochs
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

run_case() {  # run_case NAME: rank | node
  local name="$1" dir="$tmp/$1" job rank_pid victims start elapsed status
  mkdir -p "$dir"
  cat >"$dir/run.env" <<ENV
HESSNET="$hessnet"
NETWORK="$network"
SEED=3
DATA="$root/data/digits-train.csv"
LOSS=categorical_crossentropy
PENALTY=0.1
EPOCHS=$epochs
EXTRA_ARGS="-q --precision double"
OUT_DIR="$dir/out"
CHECKPOINT_DIR="$dir/checkpoints"
CHECKPOINT_EVERY=1
SHOW_PLACEMENT=1
LAUNCHER=srun
ENV
  # --no-requeue: after a node failure Slurm would requeue the job (the script asks for
  # --requeue), which then waits for two nodes again.
  job="$(cd "$dir" && HESSNET_ROOT="$root" sbatch --parsable -N 2 --ntasks-per-node=1 --time=5 --no-requeue \
    --output="$dir/job.out" "$root/slurm/train.sbatch" "$dir/run.env")"
  wait_until 60 "$name: 5 epochs" logged "$dir/out/train.csv" 5
  rank_pid="$(sed -n 's/^train\.sbatch: rank [0-9]* on node [0-9]* (n2), host .*, pid \([0-9]*\)$/\1/p' "$dir/job.out")"
  [ -n "$rank_pid" ] || fail "$name: no rank on n2 in the log"
  grep -qsaxz SLURMD_NODENAME=n2 "/proc/$rank_pid/environ" || fail "$name: pid $rank_pid is not the rank on n2"
  case "$name" in
    rank) victims="$rank_pid" ;;
    node) victims="$(node_pids n2 | tr '\n' ' ')" ;;
  esac
  start="$(now)"
  # shellcheck disable=SC2086  # a list of PIDs
  kill -KILL $victims
  wait_until 60 "$name: the job to end" job_gone "$job"
  elapsed="$(since "$start")"
  echo "$name: killed $victims; the job ended ${elapsed} s later (SlurmdTimeout $slurmd_timeout s, KillWait $kill_wait s)"
  wait_until 10 "$name: the job's processes to end" no_slurm_leftovers
  [ "$(awk -v e="$elapsed" 'BEGIN { print (e <= 60) }')" = 1 ] || fail "$name: the job took $elapsed s to end"
  if [ "$name" = rank ]; then
    grep -q "task 1: Killed" "$dir/job.out" || fail "rank: srun did not report the killed task"
    grep -q "step exited with status [1-9]" "$dir/job.out" || fail "rank: no failed step in the job output"
  else  # Slurm cancels the whole job, batch shell included
    grep -q "CANCELLED AT .* DUE TO NODE FAILURE" "$dir/job.out" || fail "node: the job did not end by a node failure"
    [ "$(sinfo -h -n n2 -o %t)" = "down*" ] || fail "node: n2 is $(sinfo -h -n n2 -o %t), not down*"
  fi

  # The checkpoint: valid JSON, a completed epoch, consistent with the log.
  "$python" - "$dir/checkpoints/checkpoint.json" "$dir/out/train.csv" "$epochs" <<'PY' ||
import csv, json, sys
c = json.load(open(sys.argv[1]))
log = list(csv.DictReader(open(sys.argv[2])))
last = c["last_epoch"]
assert c["format"].startswith("hessnet.checkpoint/"), c["format"]
assert 4 <= last < int(sys.argv[3]), f"last_epoch {last}"
assert len(c["errors"]["train"]) == last and len(c["extra"]["log"]) == last, "epochs in the checkpoint disagree"
assert len(log) in (last, last + 1), f"the log has {len(log)} epochs, the checkpoint {last}"
assert float(log[last - 1]["train_loss"]) == c["errors"]["train"][-1], "the loss of that epoch differs"
print(f"  checkpoint: epoch {last} of {sys.argv[3]} (log: {len(log)} epochs)")
PY
    fail "$name: bad checkpoint"

  # Resume on one node, one task.
  start="$(now)"
  status=0
  (cd "$dir" && timeout 120 env HESSNET_ROOT="$root" sbatch --wait --quiet -N 1 --ntasks=1 --time=5 \
    --output="$dir/job-resume.out" "$root/slurm/train.sbatch" "$dir/run.env") || status=$?
  [ "$status" -eq 0 ] || fail "$name: the resumed job returned $status"
  grep -q "resuming from $dir/checkpoints/checkpoint.json after epoch" "$dir/job-resume.out" || fail "$name: no resume"
  echo "  resumed on one node ($(sed -n 's/^train\.sbatch: job [0-9]* (restart 0) on \([^,]*\),.*/\1/p' \
    "$dir/job-resume.out")) to epoch $epochs in $(since "$start") s"
  "$python" - "$tmp/reference" "$dir/out/model" "$dir/out/train" <<'PY' || fail "$name: differs from the uninterrupted run"
import csv, json, sys
import numpy as np
def params(p):
    m = json.load(open(p + ".json"))
    return np.concatenate([np.ravel(np.array(l["weight"] + [l["bias"]])) for l in m["layers"]])
a, b = params(sys.argv[1]), params(sys.argv[2])
la, lb = list(csv.DictReader(open(sys.argv[1] + ".csv"))), list(csv.DictReader(open(sys.argv[3] + ".csv")))
assert [r["epoch"] for r in la] == [r["epoch"] for r in lb], "the logs have other epochs"
loss = max(abs(float(x["train_loss"]) - float(y["train_loss"])) / float(x["train_loss"]) for x, y in zip(la, lb))
diff = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
print(f"  vs uninterrupted: parameters {diff:.3g}, train_loss {loss:.3g} (max relative, {len(lb)} epochs)")
assert diff <= 1e-9 and loss <= 1e-9
PY
}

run_case rank
run_case node
echo "PASS: slurm_node_failure"
