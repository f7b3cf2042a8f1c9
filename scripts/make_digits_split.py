#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes data/digits.csv and a seeded 80/20 train/test split from scikit-learn's copy of the
UCI 8x8 handwritten digits (python3-sklearn is needed only to run this, never to build hessnet).

Usage: /usr/bin/python3 scripts/make_digits_split.py [path/to/digits.csv.gz] [out_dir]
"""
import gzip
import pathlib
import sys

import numpy as np

SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
SEED = 0
TRAIN_FRACTION = 0.8


def write(path, rows, header):
    with open(path, "w", newline="\n") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else pathlib.Path(__file__).parent.parent / "data")
    with gzip.open(source, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    assert table.shape == (1797, 65), table.shape
    table = table.astype(np.int64)
    header = ",".join([f"x{i}" for i in range(64)] + ["label"])
    order = np.random.default_rng(SEED).permutation(len(table))
    n_train = int(round(TRAIN_FRACTION * len(table)))
    write(out / "digits.csv", table, header)
    write(out / "digits-train.csv", table[order[:n_train]], header)
    write(out / "digits-test.csv", table[order[n_train:]], header)
    print(f"{len(table)} samples: {n_train} train, {len(table) - n_train} test -> {out}")


if __name__ == "__main__":
    main()
