# SPDX-License-Identifier: MIT
"""Python overhead per epoch: the same training (digits, 64-32-10, categorical cross-entropy,
penalty 0.1, seed 1) through `hessnet train` and through the Python package, timed alike.

The time per epoch of each is (wall time of E_LONG epochs - wall time of E_SHORT epochs) /
(E_LONG - E_SHORT), which cancels start-up, data loading and the final evaluation; each is
the median of REPEATS runs, the runs of the two interleaved (the cores are shared). Prints
both and their ratio (Python / CLI). One process; both get the same BLAS threads.

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
parser.add_argument("--repeats", type=int, default=3)
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
        "o = algorithms.Hessian(Input(64) >> Sigmoid(32) >> Softmax(10), seed=1, penalty_const=0.1,\n"
        "                       loss='categorical_crossentropy')\n"
        "o.train(x, y, epochs={epochs})\n"
        "o.score(x, y)\n").format(data=args.data, epochs=epochs)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ)
    return time.perf_counter() - start


def per_epoch(measure):
    return (measure(args.long) - measure(args.short)) / (args.long - args.short)


cli, python = [], []
for _ in range(args.repeats):
    cli.append(per_epoch(cli_seconds))
    python.append(per_epoch(python_seconds))
cli_epoch, python_epoch = statistics.median(cli), statistics.median(python)
print("epochs {} - {}, {} repeats (medians); all runs: CLI {}, Python {}".format(
    args.long, args.short, args.repeats, np.round(cli, 4).tolist(), np.round(python, 4).tolist()))
print("CLI    epoch: {:.4f} s".format(cli_epoch))
print("Python epoch: {:.4f} s".format(python_epoch))
print("ratio Python / CLI: {:.4f} (overhead {:+.2f}%)".format(python_epoch / cli_epoch,
                                                              100 * (python_epoch / cli_epoch - 1)))
