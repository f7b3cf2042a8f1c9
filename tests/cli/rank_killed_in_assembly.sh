#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A rank killed (SIGKILL) in the middle of the first epoch's Hessian assembly, where the other
# rank waits for it inside the assembly's collectives: Input(64) >> Tanh(100) >> Softmax(10)
# on the digits (N = 7510 parameters) on 2 ranks,
#   mpirun: plain `mpirun -np 2` on this machine;
#   srun:   `srun --mpi=pmix --kill-on-bad-exit=1` (as slurm/train.sbatch runs it) on 1 task
#           on each node of a private two-node Slurm.
# The kill is aimed from a first, timed run (its log's seconds_assembly) and checked with gdb
# when it is installed: rank 1 is stopped (SIGSTOP) a little after training starts, then
# both stacks must show the assembly (DistributedObjective::hessian), rank 0's inside an MPI
# call; then rank 1 gets SIGKILL. The launcher must exit non-zero within 30 s of the kill (the
# measured time is printed) and leave no process behind.
#
# Why srun takes KillWait: the surviving rank, blocked in a collective with the dead one, is
# never told (Open MPI 4.1's TCP transport drops a vanished peer's connection without
# failing the receives waiting on it), and --kill-on-bad-exit ends the step with SIGTERM, which
# hessnet only records for the end of the epoch; the SIGKILL follows KillWait seconds later:
# 30 s by Slurm's default, 5 s in this private Slurm. mpirun, noticing its child's death,
# sends the survivor SIGTERM too, and its own SIGKILL about 2 s later.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
hessnet="${HESSNET:?set HESSNET to the hessnet binary}"
. "$root/tests/support/private_slurm.sh"
require_local_slurm sbatch srun slurmctld slurmd munged mpirun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
fail() { echo "FAIL: $*"; for f in "${tmp:-/nonexistent}"/*.out; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
limit=30

export LOCAL_SLURM_CONF_EXTRA="KillWait=5"
start_private_slurm 16000 1000 2  # ports 16000-18999: apart from the other Slurm tests

train=(-v train --network "Input(64) >> Tanh(100) >> Softmax(10)" --data "$root/data/digits-train.csv"
       --loss categorical_crossentropy --penalty 0.1 --seed 1)
started() { grep -q "^\[TRAINING\] Total epochs" "$1" 2>/dev/null; }
# Our processes (with "--save $tmp/" on their command line: ranks and launchers), or rank R's.
ours() { pgrep -f -- "--save $tmp/" || true; }
rank_pid() {
  local pid
  for pid in $(ours); do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = hessnet ] &&
       grep -qsaxz -e "OMPI_COMM_WORLD_RANK=$1" -e "SLURM_PROCID=$1" "/proc/$pid/environ"; then echo "$pid"; fi
  done
}
none_left() { [ -z "$(ours)" ] && [ -z "$(slurm_leftovers)" ]; }
# On exit (a failure, say), a launcher still running in the background goes first.
# shellcheck disable=SC2016  # run by the EXIT trap
before_slurm_stop='for pid in $(ours); do kill -KILL "$pid" 2>/dev/null || true; done'
stack() { timeout 30 gdb -q -batch -p "$1" -ex "bt 80" 2>/dev/null | grep '^#' || true; }
in_assembly() { grep -q "DistributedObjective::hessian" <<<"$1"; }
# Frames of the epoch that come before the assembly (the storage it fills is allocated first).
unwound() { grep -q " in main (" <<<"$1"; }
before_assembly() { grep -q -e "provide_storage" -e "HessianStorage::HessianStorage" <<<"$1"; }
in_mpi() { grep -q -e " in PMPI_" -e " in MPI_" <<<"$1"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# 1. A timed run of one epoch: how long the assembly takes.
(unset SLURM_CONF; timeout 120 mpirun -np 2 "$hessnet" "${train[@]}" --epochs 1 --save "$tmp/timed.json" \
  --log "$tmp/timed.csv" >"$tmp/timed.out" 2>&1) || fail "the timed run failed"
read -r assembly total < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
  NR == 2 { print $c["seconds_assembly"], $c["seconds_total"] }' "$tmp/timed.csv")
aim=$(awk -v a="$assembly" 'BEGIN { printf "%.2f", a * 0.3 }')
nudge=$(awk -v a="$assembly" 'BEGIN { printf "%.2f", a * 0.1 }')
echo "epoch 1 on 2 ranks: $(printf %.2f "$total") s, of which the assembly $(printf %.2f "$assembly") s;" \
  "stopping rank 1 $aim s after training starts"
have_gdb=1
command -v gdb >/dev/null || { have_gdb=0; echo "(gdb not installed: the stacks are not checked)"; }

# run_case NAME LAUNCHER...: kills rank 1 in the assembly, measures until the launcher exits.
run_case() {
  local name="$1" out="$tmp/$1.out" pid r0 r1 start status=0 elapsed s0="" s1 step
  shift
  "$@" "$hessnet" "${train[@]}" --epochs 3 --save "$tmp/$name.json" --log "$tmp/$name.csv" >"$out" 2>&1 &
  pid=$!
  wait_until 60 "$name: training to start" started "$out"
  sleep "$aim"
  r0="$(rank_pid 0)" r1="$(rank_pid 1)"
  if [ -z "$r0" ] || [ -z "$r1" ]; then fail "$name: ranks not found (rank 0: '$r0', rank 1: '$r1')"; fi
  kill -STOP "$r1"
  s1=""
  [ "$have_gdb" = 0 ] || s1="$(stack "$r1")"
  if [ "$have_gdb" = 1 ] && [ -z "$s1" ]; then echo "(gdb could not attach: the stacks are not checked)"; fi
  # Rank 1 may still be allocating the Hessian (on a loaded machine), or be stopped in a BLAS
  # kernel gdb cannot unwind: let it run on in small steps until its stack shows where it is.
  for _ in $(seq 20); do
    if [ -z "$s1" ]; then break; fi
    if before_assembly "$s1"; then step="$nudge"; elif ! unwound "$s1"; then step=0.02; else break; fi
    kill -CONT "$r1"
    sleep "$step"
    kill -STOP "$r1"
    s1="$(stack "$r1")"
  done
  if [ -n "$s1" ]; then
    for _ in 1 2 3 4 5; do  # rank 0 reaches the next collective and waits there
      s0="$(stack "$r0")"
      in_mpi "$s0" && break
      sleep 0.2
    done
    in_assembly "$s1" || { echo "$s1"; fail "$name: rank 1 was stopped outside the assembly"; }
    if ! in_assembly "$s0" || ! in_mpi "$s0"; then echo "$s0"; fail "$name: rank 0 is not in an MPI call of the assembly"; fi
    echo "$name: rank 1 stopped in $(grep -o 'hessnet::[A-Za-z_:]*' <<<"$s1" | grep -v blas | head -n 1); rank 0 waits in" \
      "$(grep -o ' in P\{0,1\}MPI_[A-Za-z_]*' <<<"$s0" | head -n 1 | sed 's/^ in //') of the assembly"
  fi
  kill -KILL "$r1"
  start=$EPOCHREALTIME
  wait "$pid" || status=$?
  elapsed="$(since "$start")"
  echo "$name: killed rank 1 (pid $r1); the launcher exited with status $status ${elapsed} s later"
  if grep -q "^#1 :" "$out" || { [ -f "$tmp/$name.csv" ] && [ "$(wc -l <"$tmp/$name.csv")" -gt 1 ]; }; then
    fail "$name: the first epoch ended: the kill came too late"
  fi
  [ "$status" -ne 0 ] || fail "$name: the launcher exited with status 0"
  [ "$(awk -v e="$elapsed" -v l="$limit" 'BEGIN { print (e <= l) }')" = 1 ] ||
    fail "$name: the run took $elapsed s to end after the kill (limit $limit s)"
  wait_until 10 "$name: every process of the run to end" none_left
}

run_case mpirun env -u SLURM_CONF timeout 120 mpirun -np 2
run_case srun timeout 120 srun -N 2 --ntasks-per-node=1 --mpi=pmix --kill-on-bad-exit=1 --time=5
grep -q "task 1: Killed" "$tmp/srun.out" || fail "srun did not report the killed task"
echo "  (srun: the survivor ignores the step's SIGTERM while blocked; Slurm's SIGKILL comes KillWait =" \
  "$(scontrol show config | awk '$1 == "KillWait" { print $3 }') s later here, 30 s by default)"
echo "PASS: rank_killed_in_assembly"
