#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files that rank 0 alone writes while the other ranks wait in collectives (--log after every
# epoch, the checkpoint, the final --save, predict --out, the hessian and spectrum outputs) fail
# mid-run because their directory was removed after the checks at start-up: on 1 and 2 ranks
# every rank must stop within seconds with one clear error line and a non-zero exit, never hang.
# A failed H.npy write leaves the gradient file beside it unchanged too.
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
  # The trainer may create a file in $dir while rm empties it ("Directory not empty"): retry.
  while [ -e "$dir" ]; do rm -rf "$dir" 2> /dev/null || true; done
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

# fifo_case NAME RANKS EXPECTED_TEXT HESSNET_ARGS...: the data come through a FIFO, so the run
# has passed its start-up checks and waits in the read (rank 0) and in the agreed step (the
# others) when $dir, where DIR in the arguments points, is removed; then the data arrive and
# the write at the end must fail on every rank.
fifo_case() {
  local name=$1 ranks=$2 case_dir=$work/fifo.$1.$2 status=0
  local dir=$case_dir/out fifo=$case_dir/data.csv
  local expected=${3//DIR/$dir}
  shift 3
  mkdir -p "$dir"
  mkfifo "$fifo"
  local -a args=("${@//DIR/$dir}")
  args=("${args[@]//FIFO/$fifo}")
  timeout 120 "$MPIEXEC" -np "$ranks" "$HESSNET" "${args[@]}" > /dev/null 2> "$case_dir/err" &
  local pid=$!
  { exec 3> "$fifo" && rm -rf "$dir" && date +%s > "$case_dir/fed" && cat "$data/digits-train.csv" >&3; } &
  local writer=$!
  wait "$pid" || status=$?
  kill "$writer" 2> /dev/null || true
  [ -f "$case_dir/fed" ] || fail "$name on $ranks rank(s): never read its data: $(cat "$case_dir/err")"
  local seconds=$(($(date +%s) - $(cat "$case_dir/fed")))
  [ "$status" != 0 ] || fail "$name on $ranks rank(s): exit 0 after its directory was removed"
  [ "$status" != 124 ] || fail "$name on $ranks rank(s): still running after 120 s (a hang)"
  [ "$seconds" -le 20 ] || fail "$name on $ranks rank(s): took $seconds s to stop"
  [ "$(grep -c "^hessnet" "$case_dir/err")" = 1 ] && grep -q "^hessnet: error: .*$expected" "$case_dir/err" ||
    fail "$name on $ranks rank(s): expected one error line with '$expected', got: $(cat "$case_dir/err")"
  echo "$name, $ranks rank(s): exit $status, $seconds s after the data: $(cat "$case_dir/err")"
}

# pair_case RANKS: the Hessian's write fails (a 100 KiB file size limit; SIGXFSZ ignored, so the
# write returns EFBIG) after the gradient was written: neither g.npy nor H.npy may change.
pair_case() {
  local ranks=$1 case_dir=$work/pair.$1 status=0
  mkdir -p "$case_dir"
  printf 'old g' > "$case_dir/g.npy"
  printf 'old H' > "$case_dir/H.npy"
  # The limit is set in each rank, not in mpirun, whose own files it would break (and shared
  # memory between the ranks with it, hence TCP).
  timeout 120 "$MPIEXEC" --mca btl self,tcp -np "$ranks" bash -c 'trap "" XFSZ; ulimit -f 100; exec "$@"' pair \
    "$HESSNET" hessian \
    --model "$work/model.json" --data "$data/digits-train.csv" --loss categorical_crossentropy \
    --grad "$case_dir/g.npy" --hessian "$case_dir/H.npy" > /dev/null 2> "$case_dir/err" || status=$?
  [ "$status" != 0 ] && [ "$status" != 124 ] || fail "H.npy over the size limit, $ranks rank(s): exit $status"
  grep -q "^hessnet: error: .*H.npy.*File too large" "$case_dir/err" ||
    fail "H.npy over the size limit, $ranks rank(s): $(cat "$case_dir/err")"
  [ "$(cat "$case_dir/g.npy")" = "old g" ] && [ "$(cat "$case_dir/H.npy")" = "old H" ] ||
    fail "H.npy over the size limit, $ranks rank(s): the old g.npy/H.npy pair was changed"
  [ "$(ls -A "$case_dir" | wc -l)" = 3 ] || fail "temporary files left: $(ls -A "$case_dir")"
  echo "hessian pair, $ranks rank(s): exit $status, g.npy and H.npy kept: $(grep '^hessnet: error' "$case_dir/err")"
}

"$HESSNET" init --network "$net" --out "$work/model.json" > /dev/null
for ranks in 1 2; do
  pair_case "$ranks"
  run_case log "$ranks" "" "log.csv"
  run_case checkpoint "$ranks" "--checkpoint DIR" "checkpoint.json"
  fifo_case save "$ranks" "DIR/model.json" train --model "$work/model.json" --data FIFO \
    --loss categorical_crossentropy --epochs 2 -q --save DIR/model.json
  fifo_case predict "$ranks" "DIR/p.csv" predict --model "$work/model.json" --data FIFO --out DIR/p.csv
  fifo_case hessian-grad "$ranks" "DIR/g.npy" hessian --model "$work/model.json" --data FIFO \
    --loss categorical_crossentropy --grad DIR/g.npy
  fifo_case hessian-export "$ranks" "DIR/H.npy" hessian --model "$work/model.json" --data FIFO \
    --loss categorical_crossentropy --hessian DIR/H.npy
  fifo_case spectrum "$ranks" "DIR/ev.npy" spectrum --model "$work/model.json" --data FIFO \
    --loss categorical_crossentropy --out DIR/ev.npy
done
echo "PASS: rank0_write_failures"
