#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan, into ./build-fuzz) and
# runs each for a bounded time, then prints its executions and coverage. Needs
# `scripts/install-deps.sh --fuzz`.
# Usage: fuzz.sh [-t SECONDS_PER_TARGET] [-j BUILD_JOBS] [TARGET...]
#   targets: csv npy model_json checkpoint_json network_string (default: all)
# Seeds: tests/fuzz/corpus/<target>, tests/fuzz/regressions/<target>, the first lines of the
# CSV files in data/ and the network strings of the tests and docs. The growing corpus is kept
# in build-fuzz/corpus/<target>; a crashing input is written to build-fuzz/artifacts/<target>/:
# fix the bug, then save the input under tests/fuzz/regressions/<target>/ (the unit test
# FuzzRegressions replays it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
seconds=60
jobs=$(nproc)
while getopts "t:j:h" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *)
      sed -n '3,13p' "$0"
      exit 2
      ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(csv npy model_json checkpoint_json network_string); fi

cxx=$(command -v clang++ || command -v clang++-14 || true)
[ -n "$cxx" ] || { echo "fuzz: clang++ not found (scripts/install-deps.sh --fuzz)"; exit 1; }
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHESSNET_FUZZ=ON \
  -DHESSNET_BUILD_TESTS=OFF -DHESSNET_PYTHON=OFF > "$root/build-fuzz.log" 2>&1 || { cat "$root/build-fuzz.log"; exit 1; }
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}" >> "$root/build-fuzz.log" 2>&1 ||
  { tail -50 "$root/build-fuzz.log"; exit 1; }

seed_extra() {  # target directory: seeds taken from the rest of the repository
  case $1 in
    csv)
      for f in "$root"/data/*.csv; do head -n 20 "$f" > "$2/$(basename "$f")"; done
      ;;
    network_string)
      local n=0
      grep -ohE '(\[ *)?Input\([^"`]*' "$root"/tests/cli/*.sh "$root"/docs/*.md "$root"/README.md | sort -u |
        while IFS= read -r line; do
          n=$((n + 1))
          printf '%s' "$line" > "$2/repo_$n"
        done
      ;;
  esac
}

# The CSV and .npy targets write each input to a file in TMPDIR: in memory it is ~20x faster.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
failed=()
printf '%-16s %12s %8s %8s %8s  %s\n' target executions exec/s cov ft result
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t" seeds="$build/seeds/$t" artifacts="$build/artifacts/$t" log="$build/logs/$t.log"
  mkdir -p "$corpus" "$seeds" "$artifacts" "$(dirname "$log")"
  seed_extra "$t" "$seeds"
  dirs=("$corpus" "$seeds" "$root/tests/fuzz/corpus/$t")
  [ -d "$root/tests/fuzz/regressions/$t" ] && dirs+=("$root/tests/fuzz/regressions/$t")
  options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
    -artifact_prefix="$artifacts/")
  case $t in
    model_json | checkpoint_json) dict="$root/tests/fuzz/json.dict" ;;
    *) dict="$root/tests/fuzz/$t.dict" ;;
  esac
  [ -f "$dict" ] && options+=(-dict="$dict")
  status=0
  "$build/tests/fuzz/fuzz_$t" "${options[@]}" "${dirs[@]}" > "$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$( (grep -oE 'cov: [0-9]+' "$log" || true) | tail -1 | cut -d' ' -f2)
  ft=$( (grep -oE 'ft: [0-9]+' "$log" || true) | tail -1 | cut -d' ' -f2)
  result=ok
  if [ "$status" -ne 0 ]; then
    result="FAILED (exit $status): $log, input in $artifacts/"
    failed+=("$t")
  fi
  printf '%-16s %12s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}"
  exit 1
fi
