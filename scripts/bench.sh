#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark suite. Every time is a ratio to the limit L = dsyrk + dpotrf (float64),
# measured in the same run on the same cores, or to the same case on idle cores.
#   B1 (64-32-10, N=2410), B2 (64-100-10, N=7510), B3 (8-128-128-1, N=17793), S1 (13-32-1,
#     N=481): one Newton epoch of the default `hessnet train` (neupy's Hessian, seed 1, the
#     first epoch with its escalations; S1: median of 30 epochs) on 1 rank x 2 threads, 1 x 1
#     and 2 ranks x 1 (4 oversubscribed ranks for correctness), and 1 x 2 again with
#     --precision double; then the solve alone, a failed factorization in float32 against
#     float64 (B1, B2), and the PyTorch peer on B1 and B2
#     (python3-torch: scripts/install-deps.sh --bench; SKIP_TORCH=1 skips it).
#   busy: S1 and B1 next to 1 and 2 busy loops per core, against their fair share.
#   cli:  `hessnet hessian` on B1 (gradient + 46 MB H.npy) as a whole process, minus `hessnet --help`.
#   tcp:  B2 on two Open MPI "nodes" talking TCP (a launch agent that runs each node's daemon
#         here) against 2 ranks on shared memory.
#   overlap: B1 and B2 on 2 ranks x 1 with the reduction of panel k during the kernel of panel
#         k+1 (--overlap on: the plan's narrower panels, and on=w with the panels of off) and after
#         it (off): the hidden fraction 1 - reduce(on) / reduce(off), and the epochs; then B2 on
#         the two TCP "nodes" of tcp, with and without Open MPI's TCP progress thread.
#   B4:   64-400-10 (N=30,010, H=7.2 GB) on 4 ranks, float64 and mixed: minutes and ~12 GiB;
#         only when asked for (`scripts/bench.sh B4`).
# Usage: scripts/bench.sh [B1 B2 B3 S1 busy cli tcp overlap B4...]   (default: all but B4)
#        REPEATS=3 runs of each layout (B3: REPEATS_B3=1); summaries take medians.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" > /dev/null
bench="$root/build/bench/bench_epoch"
hessnet="$root/build/hessnet"
cases=("$@")
[ $# -gt 0 ] || cases=(B1 B2 B3 S1 busy cli tcp overlap)
mpirun_flags=(--bind-to none)
[ "$(id -u)" -ne 0 ] || mpirun_flags+=(--allow-run-as-root)
work=$(mktemp -d)
busy_pids=()
stop_busy() { [ ${#busy_pids[@]} -eq 0 ] || kill "${busy_pids[@]}" 2> /dev/null || true; busy_pids=(); }
trap 'stop_busy; rm -rf "$work"' EXIT
results="$work/results"
touch "$results"
has() { local c; for c in "${cases[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.4f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
epochs_of() { [ "$1" = S1 ] && echo 30 || echo 1; }
extra_mpirun=()  # the tcp section's launch options
epoch() {  # label ranks threads case [bench_epoch options...]: one line of the table
  local label=$1 ranks=$2 threads=$3 c=$4
  shift 4
  OPENBLAS_NUM_THREADS=$threads mpirun -np "$ranks" "${mpirun_flags[@]}" --oversubscribe ${extra_mpirun[@]+"${extra_mpirun[@]}"} \
    "$bench" --case "$c" --data-dir "$root/data" --epochs "$(epochs_of "$c")" "$@" | sed "s/^/$label /"
}
header="config case  PxT      N     S   esc  kernel  reduce   solve   rest   epoch    syrk   potrf       L    ep/L  RSS GiB    8N2/P  ratio  panel    xchg"
# Two "nodes" on one machine: Open MPI's launcher runs each node's daemon through an agent
# that ignores the host name, so ranks on n1 and n2 are on different nodes to Open MPI and
# must talk TCP. Sets nodes=(the mpirun options).
pretend_nodes() {
  local agent="$work/local-agent.sh"
  cat > "$agent" << 'EOF'
#!/bin/sh
# Launch agent for a pretend remote node: drop ssh options and the host, run the command here.
while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
shift
exec sh -c "$*"
EOF
  chmod +x "$agent"
  # rtc ^hwloc: the second daemon on this machine once crashed writing hwloc's shared topology.
  nodes=(--mca plm_rsh_agent "$agent" --host "n1:1,n2:1" --mca rtc ^hwloc)
}

epoch_cases=()
for c in B1 B2 B3 S1; do has "$c" && epoch_cases+=("$c"); done
if [ ${#epoch_cases[@]} -gt 0 ]; then
  echo "$header"
  # Shared cores make single runs swing by 10-20%: each layout runs REPEATS times (B3, which
  # takes minutes, REPEATS_B3 times), interleaved, and the summary takes medians.
  for c in "${epoch_cases[@]}"; do
    rounds=${REPEATS:-3}
    [ "$c" != B3 ] || rounds=${REPEATS_B3:-1}
    for ((round = 1; round <= rounds; round++)); do
      epoch 1x2 1 2 "$c" | tee -a "$results"
      epoch 1x2d 1 2 "$c" --precision double | tee -a "$results"
      epoch 1x1 1 1 "$c" | tee -a "$results"
      epoch 2x1 2 1 "$c" | tee -a "$results"
    done
    case $c in B1 | B2) epoch 4x1 4 1 "$c" | tee -a "$results" ;; esac
  done
  echo
  echo "summary (medians over the runs above; 1x2d: --precision double, the others the default, mixed)"
  awk '
    function median(key,    n, i, j, v, t) {
      n = count[key]
      for (i = 1; i <= n; i++) v[i] = values[key, i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function add(key, value) { values[key, ++count[key]] = value }
    {
      add("epoch " $1 " " $2, $11); add("ratio " $1 " " $2, $15)
      if ($16 > rss[$1 " " $2]) rss[$1 " " $2] = $16
      ideal[$1 " " $2] = $17
    }
    END {
      split("B1 B2 B3 S1", cs, " ")
      for (i = 1; i <= 4; i++) {
        c = cs[i]; if (!(("epoch 1x2 " c) in count)) continue
        e12 = median("epoch 1x2 " c); e11 = median("epoch 1x1 " c); e21 = median("epoch 2x1 " c)
        printf "%s: epoch/L (1x2) %.2f mixed, %.2f double | 2x1 speed-up over 1x1 %.2f | 2x1 vs 1x2 %+.0f%% | RSS/(8N^2/P) 1x2 %.2f, 2x1 %.2f | median epochs 1x2 %.4f 1x1 %.4f 2x1 %.4f s\n",
          c, median("ratio 1x2 " c), median("ratio 1x2d " c), e11 / e21, 100 * (e21 / e12 - 1),
          rss["1x2 " c] / ideal["1x2 " c], rss["2x1 " c] / ideal["2x1 " c], e12, e11, e21
      }
    }' "$results"
  # The solve alone (pdposv; LAPACK on one rank) on 1 x 1 and 2 x 1: how far it scales bounds
  # how far the epoch can.
  echo
  for c in "${epoch_cases[@]}"; do
    case $c in B1) n=2410 ;; B2) n=7510 ;; B3) n=17793 ;; *) continue ;; esac
    one=$(OPENBLAS_NUM_THREADS=1 mpirun -np 1 "${mpirun_flags[@]}" "$root/build/bench/bench_solve" --n "$n")
    two=$(OPENBLAS_NUM_THREADS=1 mpirun -np 2 "${mpirun_flags[@]}" "$root/build/bench/bench_solve" --n "$n")
    echo "$one"
    echo "$two"
    awk -v c="$c" -v a="$one" -v b="$two" 'BEGIN {
      split(a, x, ": "); split(b, y, ": "); printf "%s solve alone: 2x1 speed-up over 1x1 %.2f\n", c, x[2] / y[2] }'
    # What an escalation spends on a failed attempt, float32 against float64 (1 x 2; not B3's
    # N, where eight float64 factorizations take minutes).
    [ "$c" = B3 ] || OPENBLAS_NUM_THREADS=2 mpirun -np 1 "${mpirun_flags[@]}" "$root/build/bench/bench_solve" --n "$n" --failing
  done
  if [ "${SKIP_TORCH:-0}" != 1 ] && /usr/bin/python3 -c "import torch" 2> /dev/null; then
    for c in B1 B2; do
      grep -q "^1x2 $c " "$results" || continue
      line=$(/usr/bin/python3 "$root/bench/peer_torch.py" "$c" --data-dir "$root/data" --threads 2)
      torch_s=$(sed -n 's/.*torch_seconds=\([0-9.]*\).*/\1/p' <<< "$line")
      ours=$(awk -v c="$c" '$1 == "1x2" && $2 == c { print $11 }' "$results" | median)
      echo "$line | hessnet 1x2 ${ours}s | speed-up $(awk -v a="$torch_s" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')x"
    done
  fi
fi

# Busy cores: K spinning processes per core (pure user-space loops, as another job's compute
# would be). Fair share of a 2-thread run with K others per core: (K+1)x its idle time.
if has busy; then
  echo
  echo "busy cores: epoch (median of ${REPEATS:-3}) next to K busy loops per core, vs idle; goal <= 1.2x the fair share (K+1)"
  cores=$(nproc)
  for c in S1 B1; do
    for layout in "1x2 1 2" "1x1 1 1"; do
      read -r label ranks threads <<< "$layout"
      declare -A t=()
      for k in 0 1 2; do
        stop_busy
        for ((i = 0; i < k * cores; i++)); do
          /usr/bin/python3 -c "while True: pass" &
          busy_pids+=($!)
        done
        t[$k]=$(for ((r = 0; r < ${REPEATS:-3}; r++)); do epoch "$label" "$ranks" "$threads" "$c" | awk '{ print $11 }'; done | median)
      done
      stop_busy
      awk -v c="$c" -v l="$label" -v t0="${t[0]}" -v t1="${t[1]}" -v t2="${t[2]}" 'BEGIN {
        printf "%s %s: idle %.4f s | 1 loop/core %.2fx (fair 2x: %.2f of it) | 2 loops/core %.2fx (fair 3x: %.2f of it)\n",
          c, l, t0, t1 / t0, t1 / t0 / 2, t2 / t0, t2 / t0 / 3 }'
      unset t
    done
  done
fi

# `hessnet hessian` as a user runs it: MPI start-up, CSV parsing, the kernel, the reduction,
# writing g.npy and H.npy. `hessnet --help` is the start-up floor (MPI and hwloc).
if has cli; then
  echo
  "$hessnet" init --network "Input(64) >> Sigmoid(32) >> Softmax(10)" --seed 1 --out "$work/b1.json" > /dev/null
  run_hessian() {
    OPENBLAS_NUM_THREADS=2 mpirun -np 1 "${mpirun_flags[@]}" "$hessnet" hessian --model "$work/b1.json" \
      --data "$root/data/digits.csv" --loss categorical_crossentropy --grad "$work/g.npy" --hessian "$work/H.npy" > /dev/null
  }
  elapsed() { local t0=$EPOCHREALTIME; "$@" > /dev/null; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f\n", b - a }'; }
  whole=$(for ((r = 0; r < 5; r++)); do elapsed run_hessian; done | median)
  help=$(for ((r = 0; r < 5; r++)); do elapsed mpirun -np 1 "${mpirun_flags[@]}" "$hessnet" --help; done | median)
  limit=$(epoch 1x2 1 2 B1 | awk '{ print $14 }')
  awk -v w="$whole" -v h="$help" -v l="$limit" 'BEGIN {
    printf "cli: hessnet hessian B1 (1x2) %.3f s whole process, --help %.3f s: difference %.3f s = %.2f L (L %.4f s; goal <= 2.0)\n",
      w, h, w - h, (w - h) / l, l }'
fi

# Two "nodes" on one machine (pretend_nodes): restricting the transports to shared memory
# then fails, which proves that the ranks talk TCP.
if has tcp; then
  echo
  pretend_nodes
  if OPENBLAS_NUM_THREADS=1 timeout 60 mpirun -np 2 "${mpirun_flags[@]}" "${nodes[@]}" --mca btl vader,self \
    "$bench" --case B1 --data-dir "$root/data" > "$work/vader.out" 2>&1; then
    echo "tcp: WARNING: shared memory alone reached both 'nodes': they are not separate nodes to Open MPI"
  else
    echo "tcp: --mca btl vader,self between n1 and n2 fails, as it must ($(grep -m1 -o 'MPI_[A-Za-z]*' "$work/vader.out" || echo 'no route')): the ranks talk TCP"
  fi
  shm=$(for ((r = 0; r < ${REPEATS:-3}; r++)); do epoch 2x1 2 1 B2 | tee -a "$work/tcp" | awk '{ print $11 }'; done | median)
  extra_mpirun=("${nodes[@]}")
  tcp=$(for ((r = 0; r < ${REPEATS:-3}; r++)); do epoch 2n 2 1 B2 | tee -a "$work/tcp" | awk '{ print $11 }'; done | median)
  extra_mpirun=()
  echo "$header"
  cat "$work/tcp"
  awk -v a="$shm" -v b="$tcp" 'BEGIN {
    printf "tcp: B2 epoch on 2 nodes (TCP) %.3f s vs 2 ranks on shared memory %.3f s: %.2fx (goal <= 1.15)\n", b, a, b / a }'
fi

# Overlap: panel k's pairwise exchange is posted without blocking and completed after the
# kernel of panel k+1 (which lets MPI progress between its GEMMs). The xchg column (part of
# reduce) is the time in the exchange, adds included: off the blocking exchange, on what was
# not hidden (posting, the progress calls, the wait after the next kernel), so the hidden
# fraction is 1 - xchg(on) / xchg(off); the rest of reduce (the mirror, the copies) is not
# overlapped. --overlap on takes a second panel buffer, so the same budget may give narrower
# panels; on=w runs with the panels of off, beyond the budget.
if has overlap; then
  echo
  echo "overlap: 2 ranks x 1; off: reduce after each panel's kernel, on: during the next panel's kernel"
  echo "$header"
  : > "$work/overlap"
  overlap_runs() {  # prefix case: the three schedules, interleaved, REPEATS times
    local prefix=$1 c=$2 round width
    for ((round = 1; round <= ${REPEATS:-3}; round++)); do
      epoch "${prefix}off" 2 1 "$c" --overlap off | tee -a "$work/overlap"
      width=$(awk -v l="${prefix}off" -v c="$c" '$1 == l && $2 == c { w = $19 } END { print w }' "$work/overlap")
      epoch "${prefix}on" 2 1 "$c" --overlap on | tee -a "$work/overlap"
      epoch "${prefix}on=w" 2 1 "$c" --overlap on --panel "$width" | tee -a "$work/overlap"
    done
  }
  overlap_runs "" B1
  overlap_runs "" B2
  pretend_nodes
  extra_mpirun=("${nodes[@]}")
  overlap_runs tcp- B2
  extra_mpirun=("${nodes[@]}" --mca btl_tcp_progress_thread 1)
  overlap_runs tcpT- B2
  extra_mpirun=()
  echo "(tcp-: two TCP nodes; tcpT-: the same with --mca btl_tcp_progress_thread 1)"
  awk '
    function median(key,    n, i, j, v, t) {
      n = count[key]
      for (i = 1; i <= n; i++) v[i] = values[key, i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function add(key, value) { values[key, ++count[key]] = value }
    {
      add("kernel " $1 " " $2, $7); add("reduce " $1 " " $2, $8); add("epoch " $1 " " $2, $11)
      add("xchg " $1 " " $2, $20); panel[$1 " " $2] = $19
    }
    END {
      split("B1 B2", cs, " "); np = split("- tcp- tcpT-", ps, " "); ps[1] = ""
      for (i = 1; i <= 2; i++) for (p = 1; p <= np; p++) {
        c = cs[i]; off = ps[p] "off"; if (!(("epoch " off " " c) in count)) continue
        r0 = median("reduce " off " " c); e0 = median("epoch " off " " c); k0 = median("kernel " off " " c)
        x0 = median("xchg " off " " c)
        printf "%s %-9s (panel %4s): kernel %.4f reduce %.4f (exchange %.4f) epoch %.4f s\n", c, off, panel[off " " c], k0, r0, x0, e0
        split("on on=w", ons, " ")
        for (o = 1; o <= 2; o++) {
          on = ps[p] ons[o]; r1 = median("reduce " on " " c); e1 = median("epoch " on " " c); k1 = median("kernel " on " " c)
          x1 = median("xchg " on " " c)
          printf "%s %-9s (panel %4s): kernel %.4f reduce %.4f (exchange %.4f) epoch %.4f s | hidden %.0f%% of the exchange, %.0f%% of reduce; kernel %+.0f%%, epoch %+.1f%%\n",
            c, on, panel[on " " c], k1, r1, x1, e1, 100 * (1 - x1 / x0), 100 * (1 - r1 / r0), 100 * (k1 / k0 - 1), 100 * (e1 / e0 - 1)
        }
      }
    }' "$work/overlap"
fi

# B4: each rank must hold its quarter of H plus buffers: peak RSS <= 1.2 x 8N^2/P + 64 MiB
# (the float32 copy of the mixed solve adds 4N^2/P; float64 is the case the goal is for).
if has B4; then
  echo
  echo "$header"
  for precision in double mixed; do
    line=$(epoch "4x1${precision:0:1}" 4 1 B4 --precision "$precision")
    echo "$line"
    awk -v p="$precision" '{ printf "B4 %s: epoch/L %.2f | peak RSS %.2f GiB per rank = %.2f x 8N^2/P + 64 MiB\n", p, $15, $16, ($16 - 1 / 16) / $17 }' <<< "$line"
  done
fi
