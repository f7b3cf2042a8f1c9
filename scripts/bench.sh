#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark suite: one full Newton epoch of B1 (64-32-10, N=2410), B2 (64-100-10,
# N=7510) and B3 (8-128-128-1, N=17793) on 1 rank x 2 threads, 1 rank x 1 thread and
# 2 ranks x 1 thread (and 4 oversubscribed ranks for correctness), each against the limit
# L = dsyrk + dpotrf measured in the same run on the same cores; then the PyTorch peer on
# B1 and B2 (needs python3-torch: scripts/install-deps.sh --bench).
# Usage: scripts/bench.sh [cases...]   (default: B1 B2 B3; SKIP_TORCH=1 to skip the peer;
#        REPEATS=3 runs of each layout for B1/B2, REPEATS_B3=1 for B3; medians summarized)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" > /dev/null
bench="$root/build/bench/bench_epoch"
cases=("${@:-B1 B2 B3}")
[ $# -gt 0 ] || cases=(B1 B2 B3)
mpirun_flags=(--bind-to none)
[ "$(id -u)" -ne 0 ] || mpirun_flags+=(--allow-run-as-root)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
run() {  # label ranks threads case
  local label=$1 ranks=$2 threads=$3 c=$4
  OPENBLAS_NUM_THREADS=$threads mpirun -np "$ranks" "${mpirun_flags[@]}" --oversubscribe \
    "$bench" --case "$c" --data-dir "$root/data" | sed "s/^/$label /" | tee -a "$results"
}
echo "config case  PxT      N     S   esc  kernel  reduce   solve   rest   epoch    syrk   potrf       L    ep/L  RSS GiB    8N2/P  ratio"
# Shared cores make single runs swing by 10-20%: each layout runs REPEATS times (B3, which
# takes minutes, REPEATS_B3 times), interleaved, and the summary takes medians.
for c in "${cases[@]}"; do
  rounds=${REPEATS:-3}
  [ "$c" != B3 ] || rounds=${REPEATS_B3:-1}
  for ((round = 1; round <= rounds; round++)); do
    run 1x2 1 2 "$c"
    run 1x1 1 1 "$c"
    run 2x1 2 1 "$c"
  done
  [ "$c" = B3 ] || run 4x1 4 1 "$c"
done
echo
echo "summary (medians over the runs above)"
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
    split("B1 B2 B3", cs, " ")
    for (i = 1; i <= 3; i++) {
      c = cs[i]; if (!(("epoch 1x2 " c) in count)) continue
      e12 = median("epoch 1x2 " c); e11 = median("epoch 1x1 " c); e21 = median("epoch 2x1 " c)
      printf "%s: epoch/L (1x2) %.2f | 2x1 speed-up over 1x1 %.2f | 2x1 vs 1x2 %+.0f%% | RSS/(8N^2/P) 1x2 %.2f, 2x1 %.2f | median epochs 1x2 %.3f 1x1 %.3f 2x1 %.3f s\n",
        c, median("ratio 1x2 " c), e11 / e21, 100 * (e21 / e12 - 1),
        rss["1x2 " c] / ideal["1x2 " c], rss["2x1 " c] / ideal["2x1 " c], e12, e11, e21
    }
  }' "$results"
# The solve alone (pdposv; LAPACK on one rank) on 1 x 1 and 2 x 1: how far it scales bounds
# how far the epoch can.
echo
for c in "${cases[@]}"; do
  case $c in B1) n=2410 ;; B2) n=7510 ;; B3) n=17793 ;; *) continue ;; esac
  one=$(OPENBLAS_NUM_THREADS=1 mpirun -np 1 "${mpirun_flags[@]}" "$root/build/bench/bench_solve" --n "$n")
  two=$(OPENBLAS_NUM_THREADS=1 mpirun -np 2 "${mpirun_flags[@]}" "$root/build/bench/bench_solve" --n "$n")
  echo "$one"
  echo "$two"
  awk -v c="$c" -v a="$one" -v b="$two" 'BEGIN {
    split(a, x, ": "); split(b, y, ": "); printf "%s solve alone: 2x1 speed-up over 1x1 %.2f\n", c, x[2] / y[2] }'
done
if [ "${SKIP_TORCH:-0}" != 1 ] && /usr/bin/python3 -c "import torch" 2> /dev/null; then
  for c in B1 B2; do
    grep -q "^1x2 $c " "$results" || continue
    line=$(/usr/bin/python3 "$root/bench/peer_torch.py" "$c" --data-dir "$root/data" --threads 2)
    torch_s=$(sed -n 's/.*torch_seconds=\([0-9.]*\).*/\1/p' <<< "$line")
    ours=$(awk -v c="$c" '$1 == "1x2" && $2 == c { print $11 }' "$results" | sort -g |
      awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    echo "$line | hessnet 1x2 ${ours}s | speed-up $(awk -v a="$torch_s" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')x"
  done
fi
