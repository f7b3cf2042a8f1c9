#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: builds hessnet, then trains a 64-32-10 network on the bundled UCI handwritten
# digits under mpirun (2 ranks by default) with the exact-Hessian trust region and early
# stopping on a validation split carved from the training data (the last 15 % of its rows;
# the test set is never seen during training), and prints the test accuracy.
# RANKS=4 (or any count) to change the rank count.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
ranks=${RANKS:-2}
out=${OUT_DIR:-$root/digits-run}
mkdir -p "$out"
launcher=(mpirun -np "$ranks")
if [ "$(id -u)" -eq 0 ]; then launcher+=(--allow-run-as-root); fi
if [ "$ranks" -gt "$(nproc)" ]; then launcher+=(--oversubscribe); fi
"${launcher[@]}" "$root/build/hessnet" train \
  --network "Input(64) >> Sigmoid(32) >> Softmax(10)" --seed 1 \
  --data "$root/data/digits-train.csv" --test "$root/data/digits-test.csv" \
  --loss categorical_crossentropy --epochs "${EPOCHS:-100}" --optimizer trust-region \
  --validation-split 0.15 --max-fail 10 --scale-inputs maxabs --regularizer l2:0.0001 \
  --save "$out/model.json" --log "$out/log.csv"
echo "model: $out/model.json, per-epoch log: $out/log.csv"
