#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real two-node Slurm on this machine (scripts/local-slurm.sh with LOCAL_SLURM_NODES=2: one
# slurmd each for n1 and n2) runs slurm/multinode-template.sbatch filled in for 2 nodes x 1
# task: `sbatch --wait -N 2 --ntasks-per-node=1` trains a small digits network with
# srun --mpi=pmix. The two ranks log two different nodes (SLURM_NODEID 0 and 1, two distinct
# SLURMD_NODENAME), the job succeeds, the model and a log of every epoch are saved, and the
# model equals that of mpirun -np 2 outside Slurm (1e-9 relative). local-slurm.sh records
# munged, slurmctld, slurmd-n1 and slurmd-n2, and its stop ends exactly those.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
python="${PYTHON:-/usr/bin/python3}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch slurmctld slurmd munged mpirun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
fail() { echo "FAIL: $*"; [ -f "${tmp:-}/job.out" ] && sed 's/^/  job: /' "$tmp/job.out"; exit 1; }

start_private_slurm 10000 1000 2  # ports 10000-12999: apart from the other Slurm tests
[ "$(sinfo -h -N -o %N | sort | tr '\n' ' ')" = "n1 n2 " ] || fail "nodes: $(sinfo -h -N -o %N | tr '\n' ' ')"
[ "$(awk '{ print $1 }' "$LOCAL_SLURM_DIR/pids" | tr '\n' ' ')" = "munged slurmctld slurmd-n1 slurmd-n2 " ] ||
  fail "recorded daemons: $(tr '\n' ' ' <"$LOCAL_SLURM_DIR/pids")"
daemons="$(awk '{ print $2 }' "$LOCAL_SLURM_DIR/pids")"

network="Input(64) >> Tanh(8) >> Softmax(10)"
epochs=6
sed -e s/__NODES__/2/ -e s/__TASKS_PER_NODE__/1/ -e s/__CPUS_PER_TASK__/1/ -e s/__TIME__/10/ \
  -e s/__PARTITION__/local/ "$root/slurm/multinode-template.sbatch" >"$tmp/multinode.sbatch"
! grep -q "^#SBATCH.*__" "$tmp/multinode.sbatch" || fail "placeholders left: $(grep "^#SBATCH.*__" "$tmp/multinode.sbatch")"
cat >"$tmp/run.env" <<ENV
HESSNET="$hessnet"
NETWORK="$network"
SEED=5
DATA="$root/data/digits-train.csv"
LOSS=categorical_crossentropy
EPOCHS=$epochs
PENALTY=0.1
OUT_DIR="$tmp/out"
LAUNCHER=srun
ENV
cd "$tmp"
start=$SECONDS
status=0
timeout 120 env HESSNET_ROOT="$root" sbatch --wait --quiet -N 2 --ntasks-per-node=1 --output="$tmp/job.out" \
  "$tmp/multinode.sbatch" "$tmp/run.env" || status=$?
echo "job finished with status $status in $((SECONDS - start)) s"
[ "$status" -eq 0 ] || fail "sbatch --wait returned $status"
grep -q "^train.sbatch: job [0-9]* (restart 0) on n\[1-2\], 2 tasks" "$tmp/job.out" || fail "the job did not get n[1-2]"

# "train.sbatch: rank R on node I (NAME), host H, pid P", one line per rank.
placement="$(sed -n 's/^train\.sbatch: rank \([0-9]*\) on node \([0-9]*\) (\([^)]*\)),.*/\1 \2 \3/p' "$tmp/job.out" | sort)"
echo "$placement" | sed 's/^/  rank, SLURM_NODEID, SLURMD_NODENAME: /'
[ "$(wc -l <<<"$placement")" -eq 2 ] || fail "expected 2 placement lines, got: $placement"
[ "$(cut -d' ' -f1 <<<"$placement" | tr '\n' ' ')" = "0 1 " ] || fail "ranks: $placement"
[ "$(cut -d' ' -f2 <<<"$placement" | sort -u | tr '\n' ' ')" = "0 1 " ] || fail "node ids: $placement"
names="$(cut -d' ' -f3 <<<"$placement" | sort -u | tr '\n' ' ')"
[ "$names" = "n1 n2 " ] || fail "the ranks did not run on two different nodes: $names"

grep -q "step exited with status 0" "$tmp/job.out" || fail "no clean step exit in the job output"
grep -q '"format": *"hessnet.model/1"' "$tmp/out/model.json" || fail "out/model.json is not a hessnet.model/1 file"
[ "$(cut -d, -f1 "$tmp/out/train.csv" | tail -n +2 | tr '\n' ' ')" = "$(seq -s ' ' 1 "$epochs") " ] ||
  fail "the log has epochs $(cut -d, -f1 "$tmp/out/train.csv" | tail -n +2 | tr '\n' ' '), want 1..$epochs"

# The same training on 2 ranks of one machine, outside Slurm.
(unset SLURM_CONF; timeout 60 mpirun -np 2 "$hessnet" train --network "$network" --seed 5 \
  --data "$root/data/digits-train.csv" --loss categorical_crossentropy --epochs "$epochs" --penalty 0.1 -q \
  --save "$tmp/reference.json" >/dev/null) || fail "the reference run failed"
"$python" - "$tmp/reference.json" "$tmp/out/model.json" <<'PY' || fail "the two-node model differs from mpirun's"
import json, sys
import numpy as np
def params(path):
    m = json.load(open(path))
    return np.concatenate([np.ravel(np.array(l["weight"] + [l["bias"]])) for l in m["layers"]])
a, b = params(sys.argv[1]), params(sys.argv[2])
diff = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
print(f"  two nodes vs mpirun -np 2: parameters {diff:.3g} (max relative)")
assert diff <= 1e-9
PY

wait_until 10 "the job's processes to end" no_slurm_leftovers
bash "$root/scripts/local-slurm.sh" stop 2>/dev/null
for pid in $daemons; do
  ! kill -0 "$pid" 2>/dev/null || fail "daemon $pid survived stop"
done
[ ! -e "$LOCAL_SLURM_DIR" ] || fail "stop left $LOCAL_SLURM_DIR"
echo "PASS: slurm_two_nodes"
