# SPDX-License-Identifier: MIT
"""Runs the hessnet binary: `init`, `hessian` (gradient and Hessian as .npy) and `train`.

`train` runs under `mpirun -np 1`; its --log CSV is parsed by header name, so columns may be
added or missing. An optimizer that `hessnet train` rejects is reported as not available.
"""
import csv
import math
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np


def mpirun_prefix():
    """`mpirun -np 1`, with --allow-run-as-root when running as root."""
    prefix = ["mpirun", "-np", "1"]
    if os.geteuid() == 0:
        prefix.append("--allow-run-as-root")
    return prefix


def _number(text):
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def read_log(path):
    """The --log CSV as {column name: list of floats}; empty cells are NaN."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    names = rows[0].keys() if rows else []
    return {name: [_number(row.get(name)) for row in rows] for name in names}


class Evaluation(NamedTuple):
    """What `hessnet hessian` wrote: the loss it printed (10 significant digits), g, H or None."""
    loss: float
    gradient: np.ndarray
    hessian: np.ndarray


@dataclass
class TrainRun:
    """Outcome of one `hessnet train`: status 'ok', 'not available' or 'failed'."""
    status: str
    message: str = ""
    log: dict = field(default_factory=dict)
    model: Path = None
    wall_seconds: float = math.nan


class Hessnet:
    """The CLI at `binary`; `env` is the environment of every child process."""

    def __init__(self, binary, env=None):
        self.binary = str(Path(binary).resolve())
        self.env = env
        if not Path(self.binary).is_file():
            raise FileNotFoundError(f"hessnet binary not found: {self.binary}")

    def _run(self, args, prefix=()):
        return subprocess.run([*prefix, self.binary, *args], capture_output=True, text=True, env=self.env)

    def init(self, network, seed, out):
        done = self._run(["init", "--network", network, "--seed", str(seed), "--out", str(out)])
        if done.returncode != 0:
            raise RuntimeError(f"hessnet init failed: {done.stderr.strip() or done.stdout.strip()}")
        return Path(out)

    def gradient_and_hessian(self, model, data, loss, workdir, hessian=True):
        """An Evaluation at the parameters in `model`, from `hessnet hessian` (files in workdir)."""
        grad, hess = Path(workdir) / "g.npy", Path(workdir) / "H.npy"
        args = ["hessian", "--model", str(model), "--data", str(data), "--loss", loss, "--grad", str(grad)]
        if hessian:
            args += ["--hessian", str(hess)]
        done = self._run(args)
        if done.returncode != 0:
            raise RuntimeError(f"hessnet hessian failed: {done.stderr.strip() or done.stdout.strip()}")
        printed = re.search(r"loss ([-+0-9.eE]+|nan|inf)", done.stdout)
        return Evaluation(float(printed.group(1)) if printed else math.nan, np.load(grad),
                          np.load(hess) if hessian else None)

    def train(self, model, task, epochs, options, workdir):
        """`mpirun -np 1 hessnet train` from `model` with the optimizer `options` (a list)."""
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        log, saved = workdir / "log.csv", workdir / "trained.json"
        for stale in (log, saved):
            stale.unlink(missing_ok=True)
        args = ["train", "--model", str(model), "--data", str(task.train), "--test", str(task.test),
                "--loss", task.loss, "--epochs", str(epochs), *options,
                "--log", str(log), "--save", str(saved), "-q"]
        start = time.perf_counter()
        done = self._run(args, prefix=mpirun_prefix())
        wall = time.perf_counter() - start
        if done.returncode != 0:
            text = "\n".join(line for line in (done.stderr + done.stdout).splitlines() if "hessnet:" in line)
            text = text or (done.stderr.strip().splitlines() or ["exit status %d" % done.returncode])[0]
            status = "not available" if "unknown --optimizer" in text or "--optimizer" in text else "failed"
            return TrainRun(status, text.strip())
        return TrainRun("ok", done.stdout.strip().splitlines()[0] if done.stdout.strip() else "",
                        read_log(log), saved, wall)
