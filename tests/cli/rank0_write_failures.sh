#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files that rank 0 alone writes while the other ranks wait in collectives (--log after every
# epoch, the checkpoint, the final --save) fail mid-run because their directory was removed:
# on 1 and 2 ranks every rank must stop within seconds with one clear error line and a
# non-zero exit, never hang.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
net="Input(64) >> Sigmoid(8) >> Softmax(10)"

# case NAME RANKS OPTION_FOR_DIR EXPECTED_TEXT: trains for many epochs writing into $dir, removes
# $dir once the first epoch is logged, and checks how the run ends.
run_case() {
  local name=$1 ranks=$2 expected=$4 dir="$work/$1.$2/out" status=0
  mkdir -p "$dir" "$work/$name.$ranks/keep"
  local -a where
  read -r -a where <<< "${3//DIR/$dir}"
  local log=$work/$name.$ranks/keep/log.csv
  [ "$name" = log ] && log=$dir/log.csv
  local start=$SECONDS
  timeout 120 "$MPIEXEC" -np "$ranks" "$HESSNET" train --network "$net" --seed 1 --data "$data/digits-train.csv" \
    --loss categorical_crossentropy --epochs 100000 -q --log "$log" "${where[@]}" \
    > /dev/null 2> "$work/$name.$ranks/err" &
  local pid=$!
  until [ -f "$log" ] && [ "$(wc -l < "$log")" -ge 2 ]; do
    kill -0 "$pid" 2> /dev/null || fail "$name on $ranks rank(s): ended before the first epoch"
    [ $((SECONDS - start)) -lt 60 ] || fail "$name on $ranks rank(s): no epoch logged in 60 s"
    sleep 0.05
  done
  rm -rf "$dir"
  local removed=$SECONDS
  wait "$pid" || status=$?
  local seconds=$((SECONDS - removed))
  [ "$status" != 0 ] || fail "$name on $ranks rank(s): exit 0 after its directory was removed"
  [ "$status" != 124 ] || fail "$name on $ranks rank(s): still running after 120 s (a hang)"
  [ "$seconds" -le 20 ] || fail "$name on $ranks rank(s): took $seconds s to stop"
  [ "$(grep -c '^hessnet: error' "$work/$name.$ranks/err")" = 1 ] ||
    fail "$name on $ranks rank(s): expected one error line, got: $(cat "$work/$name.$ranks/err")"
  grep -q "^hessnet: error: .*$expected" "$work/$name.$ranks/err" ||
    fail "$name on $ranks rank(s): the error does not mention '$expected': $(cat "$work/$name.$ranks/err")"
  echo "$name, $ranks rank(s): exit $status, ${seconds} s after the removal: $(grep '^hessnet: error' "$work/$name.$ranks/err")"
}

for ranks in 1 2; do
  run_case log "$ranks" "" "log.csv"
  run_case checkpoint "$ranks" "--checkpoint DIR" "checkpoint.json"
done
echo "PASS: rank0_write_failures"
