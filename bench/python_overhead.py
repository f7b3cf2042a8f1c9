# SPDX-License-Identifier: MIT
"""Python overhead per epoch: the same training (digits, 64-32-10, categorical cross-entropy,
penalty 0.1, seed 1) through `hessnet train` and through the Python package, timed alike.

Also prints, from inside the Python runs, the time per epoch that train() spends outside the
engine's updates: the package's own overhead, measured on the same epochs.

The time per epoch of each is (wall time of LONG epochs - wall time of SHORT epochs) /
(LONG - SHORT), which cancels start-up, data loading and the final evaluation. Each is run
REPEATS times, the runs of the two interleaved; as other work on shared cores only adds time,
the ratio is taken from the fastest run of each (the medians are printed too). One process;
both get the same BLAS threads.

    PYTHONPATH=build/python python3 bench/python_overhead.py [--hessnet build/hessnet] [--repeats 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--hessnet", default=str(ROOT / "build" / "hessnet"))
parser.add_argument("--data", default=str(ROOT / "data" / "digits-train.csv"))
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--short", type=int, default=3)
parser.add_argument("--long", type=int, default=13)
args = parser.parse_args()

NETWORK = "Input(64) >> Sigmoid(32) >> Softmax(10)"


def cli_seconds(epochs):
    command = [args.hessnet, "train", "--network", NETWORK, "--seed", "1", "--data", args.data, "--loss",
               "categorical_crossentropy", "--penalty", "0.1", "--epochs", str(epochs), "-q"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_COMM", "PMIX_"))}
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def python_seconds(epochs):
    """A fresh interpreter each time, as the CLI is a fresh process: import, load, train."""
    code = (
        "import numpy as np\n"
        "from hessnet import algorithms\n"
        "from hessnet.layers import Input, Sigmoid, Softmax\n"
        "t = np.loadtxt({data!r}, delimiter=',', skiprows=1)\n"
        "x, y = t[:, :64], np.eye(10)[t[:, 64].astype(int)]\n"
        "engine = []\n"
        "o = algorithms.Hessian(Input(64) >> Sigmoid(32) >> Softmax(10), seed=1, penalty_const=0.1,\n"
        "                       loss='categorical_crossentropy',\n"
        "                       signals={{'update_end': lambda o: engine.append(o.last_update['seconds'])}})\n"
        "start = time.perf_counter()\n"
        "o.train(x, y, epochs={epochs})\n"
        "print(time.perf_counter() - start, sum(engine))\n"
        "o.score(x, y)\n").format(data=args.data, epochs=epochs)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "import time\n" + code], check=True, env=os.environ,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    train, engine = (float(v) for v in done.stdout.split()[-2:])
    inside[epochs].append((train, engine))
    return seconds


inside = {args.short: [], args.long: []}  # Python: (train() wall seconds, engine update seconds)
cli = {args.short: [], args.long: []}
python = {args.short: [], args.long: []}
for _ in range(args.repeats):  # interleaved, so that a burst of other load hits both
    for epochs in (args.short, args.long):
        cli[epochs].append(cli_seconds(epochs))
        python[epochs].append(python_seconds(epochs))


def per_epoch(times, pick):
    return (pick(times[args.long]) - pick(times[args.short])) / (args.long - args.short)


print("wall seconds of {} and {} epochs, {} runs each".format(args.short, args.long, args.repeats))
for name, times in (("CLI", cli), ("Python", python)):
    print("  {:6s} {:>3}: {}  {:>3}: {}".format(name, args.short, np.round(times[args.short], 3).tolist(), args.long,
                                                 np.round(times[args.long], 3).tolist()))
# Other load on shared cores only adds time: the fastest runs are the least disturbed.
cli_epoch, python_epoch = per_epoch(cli, min), per_epoch(python, min)
print("per epoch from the fastest runs: CLI {:.4f} s, Python {:.4f} s".format(cli_epoch, python_epoch))
print("per epoch from the medians:      CLI {:.4f} s, Python {:.4f} s".format(
    per_epoch(cli, statistics.median), per_epoch(python, statistics.median)))
print("ratio Python / CLI: {:.4f} (overhead {:+.2f}%)".format(python_epoch / cli_epoch,
                                                              100 * (python_epoch / cli_epoch - 1)))
# The same epochs seen from inside: the time train() spends outside the engine's updates (the
# training loop, the Python signals, the conversions) is what the package adds; it is not at
# the mercy of other load the way two separate runs are.
train, engine = (sum(v) for v in zip(*inside[args.long]))
epochs = args.long * args.repeats
print("inside Python's train(): {:.4f} s per epoch, of which the engine's updates {:.4f} s: {:.3f} ms "
      "({:.3f}%) per epoch outside them".format(train / epochs, engine / epochs, 1e3 * (train - engine) / epochs,
                                                100 * (train - engine) / engine))
