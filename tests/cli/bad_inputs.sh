#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A table of bad inputs (non-finite data, outputs that would destroy inputs, unwritable outputs,
# untrusted text in messages, ranks given different command lines): each must end every rank
# with one clear error line and a non-zero exit, within the timeout, on 1 and 2 ranks, and
# leave every file of the user as it was.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
in=$work/in
mkdir -p "$in/sub"
net="Input(4) >> Sigmoid(3) >> Sigmoid(1)"
"$PYTHON" - "$in" << 'EOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(1)
x, y = rng.random((8, 4)), rng.random((8, 1))
np.savetxt(f"{d}/small.csv", np.hstack([x, y]), delimiter=",")
np.save(f"{d}/x.npy", x)
np.save(f"{d}/y.npy", y)
bad = x.copy(); bad[3, 2] = np.nan; np.save(f"{d}/x_nan.npy", bad)
bad = y.copy(); bad[5, 0] = np.inf; np.save(f"{d}/y_inf.npy", bad)
bad = np.hstack([x, y]); bad[6, 1] = -np.inf; np.save(f"{d}/table_inf.npy", bad)
np.save(f"{d}/y_huge.npy", np.full((8, 1), 1e308))
big = np.hstack([x, y]); big[2, 4] = 1e200; np.savetxt(f"{d}/overflowing_loss.csv", big, delimiter=",")
np.save(f"{d}/zero_d.npy", np.array(3.0))
np.save(f"{d}/no_rows.npy", np.zeros((0, 5)))
labels = np.hstack([x, np.array([[0], [1], [2], [0], [1], [2], [7], [0]])]); np.save(f"{d}/labels.npy", labels)
np.save(f"{d}/H.npy", np.eye(3))
np.savetxt(f"{d}/pandas.csv", np.hstack([x, y]), delimiter=",", header="0,1,2,3,4", comments="")
with open(f"{d}/msle.csv", "w") as f: f.write("x,y\n1,0.5\n2,-1.5\n3,0\n4,1\n")
with open(f"{d}/msle_ok.csv", "w") as f: f.write("x,y\n1,0.5\n2,1.5\n3,0\n4,1\n")
with open(f"{d}/msle_test.csv", "w") as f: f.write("x,y\n1,0.5\n2,-1.5\n")
with open(f"{d}/control.csv", "wb") as f: f.write(b"1,2,3,4,5\n1,2,\x1b[31mred\x07\x08,4,5\n")
with open(f"{d}/nul.csv", "wb") as f: f.write(b"1,2,3,4,5\n1,2,ab\x00cd,4,5\n")
with open(f"{d}/long.csv", "wb") as f: f.write(b"1,2,3,4,5\n1,2," + b"7" * 100000 + b"x,4,5\n")
EOF
"$HESSNET" init --network "$net" --out "$in/model.json" > /dev/null
"$PYTHON" - "$in" << 'EOF'
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(f"{d}/model.json"))
m["layers"][0]["weight"] = [[1e10] * 3 for _ in range(4)]
json.dump(m, open(f"{d}/heavy.json", "w"))
t = np.loadtxt(f"{d}/small.csv", delimiter=","); t[:, :4] = np.where(t[:, :4] > 0.5, 1e300, -1e300)
np.savetxt(f"{d}/huge_x.csv", t, delimiter=",")
EOF
cp "$in/model.json" "$in/kept.json"
ln "$in/small.csv" "$in/hardlink.csv"
mkfifo "$in/fifo"
ln -s "$in/nodir/model.json" "$in/dangling.json"
sed '0,/-\?[0-9]\.[0-9e+-]*/s//1e999/' "$in/model.json" > "$in/overflow.json"
sed 's/"units": 3/"units": 100000000000000/' "$in/model.json" > "$in/huge_units.json"
"$HESSNET" train --model "$in/model.json" --data "$in/small.csv" --epochs 1 -q --checkpoint "$work/ck" > /dev/null
mkdir -p "$in/ck_overflow"
sed 's/"last_epoch": 1/"last_epoch": 1e999/' "$work/ck/checkpoint.json" > "$in/ck_overflow/checkpoint.json"
grep -q 1e999 "$in/overflow.json" && grep -q 1e999 "$in/ck_overflow/checkpoint.json" || fail "fixtures without 1e999"

# The user's files: everything in $in but the hidden probe and temporary files of a write.
checksums() { (cd "$in" && find . -type f ! -name '.*' | LC_ALL=C sort | xargs sha256sum); }
checksums > "$work/before"

d=$in
T="train --epochs 2 -q"
M="--model $d/model.json"
S="--data $d/small.csv"
rows=(
  # expected text in the error line | hessnet arguments (word-split; no spaces in paths)
  "x_nan.npy': row 3, column 2 (from 0) is nan|$T $M --inputs $d/x_nan.npy --targets $d/y.npy"
  "y_inf.npy': row 5, column 0 (from 0) is inf|$T $M --inputs $d/x.npy --targets $d/y_inf.npy"
  "table_inf.npy': row 6, column 1 (from 0) is -inf|$T $M --data $d/table_inf.npy"
  "x_nan.npy': row 3, column 2|hessian $M --inputs $d/x_nan.npy --targets $d/y.npy --hessian $d/H.npy"
  "x_nan.npy': row 3, column 2|predict $M --data $d/x_nan.npy --out $d/p.csv"
  "is not finite (NaN or overflow from the data or weights): nothing written|hessian $M --inputs $d/x.npy --targets $d/y_huge.npy --hessian $d/H.npy"
  "is not finite (NaN or overflow from the data or weights): nothing written|spectrum $M --inputs $d/x.npy --targets $d/y_huge.npy --out $d/H.npy"
  "training applied no update in 1 epoch.*kept.json not written|$T $M --inputs $d/x.npy --targets $d/y_huge.npy --save $d/kept.json"
  "training loss (inf) or its gradient is not finite.*kept.json not written|$T $M --data $d/overflowing_loss.csv --save $d/kept.json"
  "zero_d.npy' holds a 0-d array|$T $M --inputs $d/zero_d.npy --targets $d/y.npy"
  "no_rows.npy' has no rows|$T $M --data $d/no_rows.npy"
  "no_rows.npy' has no rows|predict $M --data $d/no_rows.npy --out $d/p.csv"
  "labels.npy': row 6 (from 0) has class label 7, not an integer in \\[0, 3)|$T --data $d/labels.npy --network Input(4)>>Sigmoid(3)>>Softmax(3)"
  "--save $d/small.csv is the --data input|$T $M $S --save $d/small.csv"
  "--save $d/model.json is the --model input|$T $M $S --save $d/model.json"
  "--save $d/hardlink.csv is the --data input|$T $M $S --save $d/hardlink.csv"
  "--log $d/sub/../small.csv is the --data input|$T $M $S --log $d/sub/../small.csv"
  "--log $d/x.npy is the --inputs input|$T $M --inputs $d/x.npy --targets $d/y.npy --log $d/x.npy"
  "--log $d/./new.json is also the --save output|$T $M $S --save $d/new.json --log $d/./new.json"
  "--summary $d/small.csv is the --data input|$T $M $S --summary $d/small.csv"
  "--summary $d/new.json is also the --save output|$T $M $S --save $d/new.json --summary $d/new.json"
  "--checkpoint $d/ck2/checkpoint.json is also the --save output|$T $M $S --save $d/ck2/checkpoint.json --checkpoint $d/ck2"
  "--out $d/small.csv is the --data input|predict $M --data $d/small.csv --out $d/small.csv"
  "--hessian $d/model.json is the --model input|hessian $M $S --hessian $d/model.json"
  "--hessian $d/g.npy is also the --grad output|hessian $M $S --grad $d/g.npy --hessian $d/g.npy"
  "--out $d/y.npy is the --targets input|spectrum $M --inputs $d/x.npy --targets $d/y.npy --out $d/y.npy"
  "--grad '$d/g.csv': written as .npy, so the name must end in .npy|hessian $M $S --grad $d/g.csv"
  "--save $d is a directory|$T $M $S --save $d"
  "--summary $d/fifo is not a regular file|$T $M $S --summary $d/fifo"
  "--save $d/dangling.json: directory '$d/nodir' does not exist|$T $M $S --save $d/dangling.json"
  "--log $d/small.csv/log.csv: directory '$d/small.csv' does not exist|train -q --epochs 100000 $M $S --log $d/small.csv/log.csv"
  "--out $d/none/p.csv: directory|predict $M --data $d/small.csv --out $d/none/p.csv"
  "--out '$d/p.npz': predictions are written as .npy or CSV|predict $M --data $d/small.csv --out $d/p.npz"
  "pandas.csv:1: the first line is 0,1,...,4: column names as pandas writes them, or a row of data|$T $M --data $d/pandas.csv"
  "pandas.csv:1: the first line is 0,1,...,4|$T $M $S --test $d/pandas.csv"
  "pandas.csv:1: the first line is 0,1,...,4|predict $M --data $d/pandas.csv --out $d/p.csv"
  "--csv-header: maybe not in {auto,yes,no}|hessian $M $S --grad $d/g.npy --csv-header maybe"
  "--save: an empty value|$T $M $S --save="
  "msle needs targets above -1 (it takes log(1 + t)); row 1 (from 0), column 0 is -1.5|$T --network Input(1)>>Linear(1) --data $d/msle.csv --loss msle"
  "--seed: must be at most 18446744073709551615, got 18446744073709551616|$T $S --network Input(4)>>Sigmoid(1) --seed 18446744073709551616"
  "--seed: must be a decimal integer in \[0, 18446744073709551615\], got +18446744073709551616|$T $S --network Input(4)>>Sigmoid(1) --seed +18446744073709551616"
  "--seed: must be a decimal integer in \[0, 18446744073709551615\], got 0x1ffffffffffffffff|init --network Input(4)>>Sigmoid(1) --seed 0x1ffffffffffffffff --out $d/seeded.json"
  "msle_test.csv: msle needs targets above -1 (it takes log(1 + t)); row 1 (from 0), column 0 is -1.5|$T --network Input(1)>>Linear(1) --data $d/msle_ok.csv --test $d/msle_test.csv --loss msle --validation-split 0.5"
  "--checkpoint: an empty value|$T $M $S --checkpoint="
  "--scale-inputs: the first layer, rewritten for scaled inputs, overflows: parameter 0 (layer 1) is inf|$T --model $d/heavy.json --data $d/huge_x.csv --scale-inputs maxabs"
  "--grad $d/none/g.npy: directory|hessian $M $S --grad $d/none/g.npy"
  "control.csv:2:3: '\\\\x1b\[31mred\\\\x07\\\\x08' is not a number|$T $M --data $d/control.csv"
  "nul.csv:2:3: 'ab\\\\0cd' is not a number|$T $M --data $d/nul.csv"
  "long.csv:2:3: '7777.*\.\.\.(100001 bytes)' is |$T $M --data $d/long.csv"
  "overflow.json'.*number overflow|$T --model $d/overflow.json $S"
  "model file '$d/sub': cannot read: Is a directory|$T --model $d/sub $S"
  "checkpoint '$d/ck_overflow/checkpoint.json'.*number overflow|$T $S --resume $d/ck_overflow"
  "too large|$T $S --network Input(4)>>Sigmoid(100000000000000)>>Sigmoid(1)"
  "huge_units.json.*too large|$T --model $d/huge_units.json $S"
  "--block must be >= 1, got 0|hessian $M $S --grad $d/g.npy --block 0"
  "--block must be >= 1, got 0|$T $M $S --block 0"
  "--checkpoint-every must be >= 1, got 0|$T $M $S --checkpoint $d/ck3 --checkpoint-every 0"
  "--block 9223372036854775807 is too large|spectrum $M $S --block 99999999999999999999"
  "ends with '>>'|$T $S --network Input(4)>>Sigmoid(1)>>"
  "Softmax(1) outputs 1 whatever its input, so nothing trains: use Sigmoid(1)|$T $S --network Input(4)>>Softmax(1)"
  "hessnet hessian does not take --step (an option of train)|hessian $M $S --grad $d/g.npy --step 0.5"
  "--memory-limit: memory size 'abc': give bytes or a number with KiB, MiB, GiB or TiB|--memory-limit abc $T $M $S"
  "--memory-limit: memory size '-5GiB'|--memory-limit -5GiB $T $M $S"
  "--log-curvature writes the min_eigenvalue column of --log: give --log FILE too|$T $M $S --log-curvature"
)
# Ranks started with different command lines (only meaningful on 2 ranks).
mpmd=(
  "rank 1 was given a different command line|$T $M $S|$T $M --data $d/control.csv"
  "rank 1 was given a different command line|$T $M $S|hessian $M $S --grad $d/g.npy"
  "rank 1 was given a different command line|$T $M $S|$T $M $S --no-such-option"
)

# check N RANKS EXPECTED ARGS [ARGS_OF_RANK_1]: one error line on stderr (no control
# characters), non-zero exit, no timeout, and the user's files unchanged.
check() {
  local n=$1 ranks=$2 expected=$3 args=$4 other=${5-} status=0 err=$work/err.$1
  local -a a b cmd
  read -r -a a <<< "$args"
  if [ -n "$other" ]; then
    read -r -a b <<< "$other"
    cmd=("$MPIEXEC" -np 1 "$HESSNET" "${a[@]}" : -np 1 "$HESSNET" "${b[@]}")
  elif [ "$ranks" = 1 ]; then
    cmd=("$HESSNET" "${a[@]}")
  else
    cmd=("$MPIEXEC" -np 2 "$HESSNET" "${a[@]}")
  fi
  # A private TMPDIR: Open MPI singletons started at once race for the same session directory.
  mkdir -p "$work/tmp.$n"
  TMPDIR=$work/tmp.$n timeout 60 "${cmd[@]}" > /dev/null 2> "$err" || status=$?
  local why=""
  if [ "$status" = 0 ]; then
    why="exit 0"
  elif [ "$status" = 124 ]; then
    why="no exit within 60 s (a hang)"
  elif [ "$(grep -c . "$err")" != 1 ] && { [ "$ranks" = 1 ] || [ "$(grep -c '^hessnet' "$err")" != 1 ]; }; then
    why="not one error line"  # (mpirun adds its own report of the exit status)
  elif ! grep -q "^hessnet: error: .*$expected" "$err"; then
    why="the error does not match '$expected'"
  elif grep '^hessnet' "$err" | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; then
    why="control characters in the message"
  elif [ "$(grep '^hessnet' "$err" | wc -c)" -gt 600 ]; then
    why="a message of $(grep '^hessnet' "$err" | wc -c) bytes"
  elif ! checksums | cmp -s - "$work/before"; then
    why="a user file changed"
  fi
  [ -z "$why" ] || { echo "$ranks rank(s), hessnet $args${other:+ : $other}: $why (exit $status):"; cat -A "$err"; } > "$work/failed.$n"
}

n=0
for ranks in 1 2; do
  for row in "${rows[@]}"; do
    n=$((n + 1))
    while [ "$(jobs -rp | wc -l)" -ge 3 ]; do wait -n || true; done
    check "$n" "$ranks" "${row%%|*}" "${row#*|}" &
  done
done
for row in "${mpmd[@]}"; do
  n=$((n + 1))
  rest=${row#*|}
  while [ "$(jobs -rp | wc -l)" -ge 3 ]; do wait -n || true; done
  check "$n" 2 "${row%%|*}" "${rest%%|*}" "${rest#*|}" &
done
wait
# An empty value given as its own argument (a script's variable that came out empty).
status=0
"$HESSNET" $T $M $S --resume "" > /dev/null 2> "$work/empty.err" || status=$?
[ "$status" != 0 ] && grep -q '^hessnet: error: --resume: an empty value' "$work/empty.err" ||
  fail "--resume \"\" was not refused: exit $status, $(cat "$work/empty.err")"
# A malformed HESSNET_MEMORY_LIMIT: one line naming it on 2 ranks (it used to abort the job).
status=0
HESSNET_MEMORY_LIMIT=garbage timeout 60 "$MPIEXEC" -np 2 "$HESSNET" $T $M $S > /dev/null 2> "$work/env.err" || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] && [ "$(grep -c '^hessnet' "$work/env.err")" = 1 ] &&
  grep -q "^hessnet: error: HESSNET_MEMORY_LIMIT: memory size 'garbage'" "$work/env.err" && ! grep -q MPI_ABORT "$work/env.err" ||
  fail "HESSNET_MEMORY_LIMIT=garbage: exit $status, $(cat "$work/env.err")"
# A run whose first update fails still writes --summary, saying why.
status=0
"$HESSNET" $T $M --inputs "$d/x.npy" --targets "$d/y_huge.npy" --summary "$work/failed-summary.json" \
  > /dev/null 2>&1 || status=$?
[ "$status" != 0 ] || fail "a run without updates exited 0"
"$PYTHON" -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["n_updates_made"] == 0 and s["stop_reason"] == "update_failed" and s["stop_message"], s' \
  "$work/failed-summary.json" || fail "no --summary of the failed run"
[ -z "$(find "$in" -name '.*' -type f)" ] || fail "files left behind: $(find "$in" -name '.*' -type f)"
if ls "$work"/failed.* > /dev/null 2>&1; then
  cat "$work"/failed.*
  echo "FAIL: $(ls "$work"/failed.* | wc -l) of $n cases"
  exit 1
fi
echo "PASS: bad_inputs (${#rows[@]} rows on 1 and 2 ranks, ${#mpmd[@]} MPMD cases: $n runs)"
