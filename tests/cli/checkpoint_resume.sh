#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hessnet train --checkpoint / --resume, end to end on the digits:
#  1. 10 epochs in one go == 5 epochs + --resume --epochs 10, same rank count: the saved model
#     and the log's epoch/loss columns agree to 1e-12 (--adaptive on 1 rank, --shuffle on 2);
#  2. resumed on another rank count (1 -> 2, 2 -> 4): agree to 1e-9;
#  3. SIGUSR1 to mpirun mid-training (and SIGTERM to a single rank): exit 75, stop_reason
#     'signal' in --summary and the log, a checkpoint of the last finished epoch; resuming
#     gives the uninterrupted run (1e-12);
#  4. a process killed while writing a checkpoint (SIGXFSZ after prlimit --fsize) leaves the
#     previous checkpoint intact and resumable;
#  5. a bad --resume (missing, corrupt, another network or loss) is one line and a non-zero
#     exit, also under mpirun -np 2 (timeout: no hang);
#  6. a resume with no epoch left saves, scores and summarizes the model (stop_reason epochs);
#  7. a resume of a run that early stopping ended trains nothing and saves the same model
#     (stop_reason max_fail); with a larger --max-fail it goes on.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
head -n 501 "$data/digits-train.csv" > "$work/train.csv"  # 500 samples: short epochs
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

common=(--network "Input(64) >> Tanh(3) >> Softmax(10)" --seed 3 --data "$work/train.csv"
        --loss categorical_crossentropy --penalty 0.1 --quiet)
train() { timeout 60 "$@" > /dev/null; }  # train LAUNCHER... hessnet train ARGS

# compare TOL NAME_A NAME_B: models $work/NAME.json and logs $work/NAME.csv.
compare() {
  "$PYTHON" - "$@" "$work" <<'PY'
import csv, json, sys
import numpy as np
tol, a, b, work = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def params(name):
    m = json.load(open(f"{work}/{name}.json"))
    return np.concatenate([np.ravel(np.array(l["weight"] + ([l["bias"]] if l["bias"] else []))) for l in m["layers"]])
def log(name):
    return list(csv.DictReader(open(f"{work}/{name}.csv")))
pa, pb = params(a), params(b)
worst_p = float(np.max(np.abs(pa - pb)) / np.max(np.abs(pa)))
la, lb = log(a), log(b)
assert [r["epoch"] for r in la] == [r["epoch"] for r in lb], f"epochs differ: {len(la)} vs {len(lb)} rows"
worst_l = 0.0
for column in ("train_loss", "valid_loss", "accuracy", "lambda"):
    for ra, rb in zip(la, lb):
        if ra[column] == "" and rb[column] == "":
            continue
        x, y = float(ra[column]), float(rb[column])
        worst_l = max(worst_l, abs(x - y) / max(abs(x), 1e-300))
print(f"  {a} vs {b}: parameters {worst_p:.3g}, log {worst_l:.3g} (max relative, {len(la)} epochs)")
assert worst_p <= tol and worst_l <= tol, f"beyond {tol}"
PY
}

# 1 + 2. Uninterrupted, 5 + 5 on the same ranks, 5 + 5 on other ranks.
run_case() {  # run_case NAME RANKS OTHER_RANKS OPTIONS...
  local name=$1 ranks=$2 other=$3
  shift 3
  local args=("${common[@]}" "$@")
  train "$MPIEXEC" -np "$ranks" "$HESSNET" train "${args[@]}" --epochs 10 --save "$work/$name-full.json" \
    --log "$work/$name-full.csv"
  train "$MPIEXEC" -np "$ranks" "$HESSNET" train "${args[@]}" --epochs 5 --checkpoint "$work/$name-ck" \
    --log "$work/$name-half.csv"
  cp -r "$work/$name-ck" "$work/$name-ck-other"
  cp "$work/$name-half.csv" "$work/$name-other.csv"
  train "$MPIEXEC" -np "$ranks" "$HESSNET" train "${args[@]}" --epochs 10 --resume "$work/$name-ck" \
    --checkpoint "$work/$name-ck" --save "$work/$name-half.json" --log "$work/$name-half.csv"
  compare 1e-12 "$name-full" "$name-half"
  train "$MPIEXEC" -np "$other" "$HESSNET" train "${args[@]}" --epochs 10 --resume "$work/$name-ck-other" \
    --save "$work/$name-other.json" --log "$work/$name-other.csv"
  compare 1e-9 "$name-full" "$name-other"
}
echo "1 rank, --adaptive --scale-inputs standard --test, resumed on 1 and 2 ranks"
run_case adaptive 1 2 --adaptive --scale-inputs standard --test "$data/digits-test.csv"
echo "2 ranks, --shuffle, resumed on 2 and 4 ranks"
run_case shuffle 2 4 --shuffle

# 3. Interrupted by a signal after a few epochs, then resumed.
long=("${common[@]}" --adaptive --shuffle --epochs 40)
train "$MPIEXEC" -np 2 "$HESSNET" train "${long[@]}" --save "$work/long-full.json" --log "$work/long-full.csv"
interrupt() {  # interrupt NAME SIGNAL TARGET LAUNCHER...: TARGET mpirun, rank or process
  local name=$1 signal=$2 target=$3 status=0
  shift 3
  "$@" "$HESSNET" train "${long[@]}" --checkpoint "$work/$name-ck" --checkpoint-every 100 \
    --save "$work/$name.json" --log "$work/$name.csv" --summary "$work/$name-summary.json" > "$work/$name.out" 2>&1 &
  local pid=$! deadline=$((SECONDS + 30))
  until [ "$(lines "$work/$name.csv")" -ge 5 ]; do  # header + 4 epochs
    [ "$SECONDS" -lt "$deadline" ] || fail "$name: no epochs logged"
    sleep 0.05
  done
  case $target in
    rank) kill -s "$signal" "$(pgrep -P "$pid" | head -n 1)" ;;
    *) kill -s "$signal" "$pid" ;;
  esac
  wait "$pid" || status=$?
  [ "$status" = 75 ] || { cat "$work/$name.out"; fail "$name: exit $status after SIG$signal, expected 75"; }
  grep -q "stopped by SIG$signal after epoch" "$work/$name.out" || fail "$name: no stop message"
  "$PYTHON" -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["stop_reason"] == "signal" and s["stop_message"] == "interrupted by SIG" + sys.argv[2], s' \
    "$work/$name-summary.json" "$signal" || fail "$name: --summary does not say the run was stopped by a signal"
  [ "$(tail -n 1 "$work/$name.csv" | awk -F, '{ print $NF }')" = signal ] || fail "$name: the log's last row is not 'signal'"
  local epochs
  epochs=$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['last_epoch'])" "$work/$name-ck/checkpoint.json")
  [ "$epochs" = "$(($(wc -l < "$work/$name.csv") - 1))" ] || fail "$name: checkpoint at epoch $epochs, log differs"
  [ "$epochs" -lt 40 ] || fail "$name: the signal did not stop training early"
  [ "$(ls -A "$work/$name-ck")" = checkpoint.json ] || fail "$name: stray files: $(ls -A "$work/$name-ck")"
  echo "  SIG$signal to $target: stopped after epoch $epochs, exit 75"
  train "$MPIEXEC" -np 2 "$HESSNET" train "${long[@]}" --resume "$work/$name-ck" --checkpoint "$work/$name-ck" \
    --save "$work/$name.json" --log "$work/$name.csv"
  compare 1e-12 long-full "$name"
}
echo "interrupted runs (2 ranks, --adaptive --shuffle, 40 epochs)"
interrupt usr1 USR1 mpirun "$MPIEXEC" -np 2
interrupt term TERM rank "$MPIEXEC" -np 2

# 4. Killed while writing a checkpoint: once training runs, files may not grow beyond 4 KiB
#    (prlimit; MPI_Init itself needs larger files). The log stays below that, the checkpoint of
#    epoch 20 does not, so SIGXFSZ kills the process in the middle of writing it.
train "$HESSNET" train "${common[@]}" --adaptive --epochs 20 --save "$work/crash-full.json" --log "$work/crash-full.csv"
train "$HESSNET" train "${common[@]}" --adaptive --epochs 5 --checkpoint "$work/crash-ck" --log "$work/crash.csv"
cp "$work/crash-ck/checkpoint.json" "$work/crash-before.json"
"$HESSNET" train "${common[@]}" --adaptive --epochs 20 --resume "$work/crash-ck" --checkpoint "$work/crash-ck" \
  --checkpoint-every 20 --log "$work/crash.csv" > /dev/null 2>&1 &
pid=$! deadline=$((SECONDS + 30))
until [ "$(lines "$work/crash.csv")" -ge 7 ]; do  # resumed: epoch 6 done
  [ "$SECONDS" -lt "$deadline" ] || fail "crash: no epochs logged"
  sleep 0.02
done
prlimit --pid "$pid" --fsize=4096
status=0
wait "$pid" 2> /dev/null || status=$?  # (bash would report "File size limit exceeded")
[ "$status" = $((128 + $(kill -l XFSZ))) ] || fail "the checkpoint write was not killed by SIGXFSZ (exit $status)"
cmp -s "$work/crash-before.json" "$work/crash-ck/checkpoint.json" || fail "the checkpoint changed in a crashed write"
echo "  killed mid-write (exit $status, left: $(ls -A "$work/crash-ck" | tr '\n' ' ')); checkpoint.json intact"
train "$HESSNET" train "${common[@]}" --adaptive --epochs 20 --resume "$work/crash-ck" --save "$work/crash.json" \
  --log "$work/crash.csv"
compare 1e-12 crash-full crash

# 5. Bad --resume: one line, non-zero exit, on one process and under mpirun -np 2.
printf '{"format": "hessnet.checkpoint/1", "algorithm": ' > "$work/corrupt.json"
mkdir -p "$work/corrupt" && cp "$work/corrupt.json" "$work/corrupt/checkpoint.json"
expect_failure() {  # expect_failure "message part" ARGS...
  local expected=$1 status
  shift
  for launcher in "" "$MPIEXEC -np 2"; do
    status=0
    # shellcheck disable=SC2086  # the launcher splits on purpose
    timeout 60 $launcher "$HESSNET" train "$@" > /dev/null 2> "$work/err" || status=$?
    if [ "$status" = 0 ] || [ "$status" = 124 ] || [ "$(grep -c '^hessnet: error' "$work/err")" != 1 ] ||
       ! grep -q "^hessnet: error: .*$expected" "$work/err"; then
      echo "${launcher:-one process}: hessnet train $*: exit $status"; cat "$work/err"; fail "bad --resume"
    fi
  done
  echo "  refused: $(grep '^hessnet: error' "$work/err")"
}
expect_failure "checkpoint.json': cannot open" "${common[@]}" --epochs 10 --resume "$work/missing"
expect_failure "not valid JSON" "${common[@]}" --epochs 10 --resume "$work/corrupt"
expect_failure "network \"Input(64) >> Tanh(3) >> Softmax(10)\", this run \"Input(64) >> Tanh(4) >> Softmax(10)\"" \
  --network "Input(64) >> Tanh(4) >> Softmax(10)" --data "$work/train.csv" --loss categorical_crossentropy \
  --penalty 0.1 --adaptive --epochs 30 --resume "$work/crash-ck"
expect_failure "loss = categorical_crossentropy, this run mse" --network "Input(64) >> Tanh(3) >> Softmax(10)" \
  --data "$work/train.csv" --loss mse --penalty 0.1 --adaptive --epochs 30 --resume "$work/crash-ck"
expect_failure "the checkpoint has --scale-inputs none, this run standard" "${common[@]}" --adaptive --epochs 30 \
  --scale-inputs standard --resume "$work/crash-ck"

# 6. A resume with no epoch left: nothing trained, yet the model is scored, saved and summarized.
ck_epoch=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["last_epoch"])' "$work/crash-ck/checkpoint.json")
train "$HESSNET" train "${common[@]}" --adaptive --epochs "$ck_epoch" --resume "$work/crash-ck" \
  --save "$work/done.json" --summary "$work/done-summary.json"
grep -q '"format": *"hessnet.model/1"' "$work/done.json" || fail "no model saved by the run with nothing to train"
"$PYTHON" - "$work/done-summary.json" "$ck_epoch" <<'PY'
import json, math, sys
s, epoch = json.load(open(sys.argv[1])), int(sys.argv[2])
assert s["stop_reason"] == "epochs" and "nothing to train" in s["stop_message"], s
assert s["epochs_this_run"] == 0 and s["last_epoch"] == epoch and math.isfinite(s["train_loss"]), s
PY

# 7. Resubmitting a run that early stopping ended: no epoch, the same best model; a looser
#    --max-fail goes on from the checkpoint.
early=("${common[@]}" --validation-split 0.2 --epochs 60 --checkpoint "$work/early-ck"
       --log "$work/early.csv")
train "$HESSNET" train "${early[@]}" --max-fail 1 --save "$work/early.json"
stopped_at=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["last_epoch"])' "$work/early-ck/checkpoint.json")
[ "$stopped_at" -lt 60 ] || fail "early stopping did not end the first run (epoch $stopped_at)"
train "$HESSNET" train "${early[@]}" --max-fail 1 --resume "$work/early-ck" --save "$work/early-again.json" \
  --summary "$work/early-summary.json"
cmp -s "$work/early.json" "$work/early-again.json" || fail "the resumed early-stopped run saved another model"
"$PYTHON" - "$work/early-summary.json" "$stopped_at" <<'PY'
import json, sys
s, epoch = json.load(open(sys.argv[1])), int(sys.argv[2])
assert s["stop_reason"] == "max_fail" and "nothing to train" in s["stop_message"], s
assert s["epochs_this_run"] == 0 and s["last_epoch"] == epoch, s
PY
train "$HESSNET" train "${early[@]}" --max-fail 3 --resume "$work/early-ck" --save "$work/early-more.json"
more=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["last_epoch"])' "$work/early-ck/checkpoint.json")
[ "$more" -gt "$stopped_at" ] || fail "a looser --max-fail did not go on after epoch $stopped_at"
echo "  early stopping at epoch $stopped_at: resumed, nothing trained, same model; --max-fail 3 went on to epoch $more"
echo "checkpoint_resume: ok"
