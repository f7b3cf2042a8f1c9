# SPDX-License-Identifier: MIT
"""The four benchmark problems: data files, network, loss, init seed, test metric.

The CSVs are written by scripts/make_convergence_data.py (already scaled, see data/README.md),
so hessnet runs without --scale-inputs and every optimizer solves the same problem.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Task:
    """One problem. `seed` is the `hessnet init --seed` every optimizer starts from; `target`
    a training loss level whose first crossing the report counts in iterations."""
    name: str
    network: str
    loss: str
    train: Path
    test: Path
    target: float
    seed: int = 1

    @property
    def classification(self):
        return self.loss != "mse"


TASKS = {
    "fit1d": Task("fit1d", "Input(1) >> Tanh(20) >> Linear(1)", "mse",
                  ROOT / "data/fit1d-train.csv", ROOT / "data/fit1d-test.csv", target=1e-4),
    "diabetes": Task("diabetes", "Input(10) >> Tanh(10) >> Linear(1)", "mse",
                     ROOT / "data/diabetes-train.csv", ROOT / "data/diabetes-test.csv", target=0.25),
    "digits": Task("digits", "Input(64) >> Sigmoid(32) >> Softmax(10)", "categorical_crossentropy",
                   ROOT / "data/digits-maxabs-train.csv", ROOT / "data/digits-maxabs-test.csv",
                   target=1e-3),
    "breast-cancer": Task("breast-cancer", "Input(30) >> Tanh(16) >> Sigmoid(1)", "binary_crossentropy",
                          ROOT / "data/breast-cancer-train.csv", ROOT / "data/breast-cancer-test.csv",
                          target=1e-3),
}


def load_csv(path, n_in, n_out):
    """(inputs, targets) as hessnet reads them: a header line, n_in inputs, then n_out targets
    or (with n_out > 1 and n_in + 1 columns) an integer class label, one-hot encoded."""
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    x, rest = table[:, :n_in], table[:, n_in:]
    if rest.shape[1] == n_out:
        return x, rest
    if rest.shape[1] == 1 and n_out > 1:
        labels = rest[:, 0].astype(np.int64)
        return x, np.eye(n_out)[labels]
    raise ValueError(f"{path}: {table.shape[1]} columns do not fit {n_in} inputs and {n_out} outputs")
