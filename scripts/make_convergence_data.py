#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the data of the convergence benchmark (bench/convergence/) under data/.

Four problems, each as a train and a test CSV in the layout `hessnet train --data` reads
(a header line, the inputs, then the targets or a class label; see docs/file-formats.md):

- fit1d:         y = sin(3x) + 0.3 x^2 on 400 (train) and 200 (test) points drawn uniformly
                 from [-2, 2] (numpy.random.default_rng(0)); no noise, no scaling needed.
- diabetes:      Efron et al. (2004), 442 x 10, from scikit-learn's raw copy; 80/20 split,
                 inputs and target standardized with the training part's mean and std.
- digits-maxabs: the bundled data/digits-{train,test}.csv, each pixel column divided by its
                 largest magnitude in the training file (as `--scale-inputs maxabs`).
- breast-cancer: Wisconsin diagnostic, 569 x 30, from scikit-learn's copy; 80/20 split,
                 inputs standardized with the training part's mean and std; target
                 `malignant` (1 malignant, 0 benign).

The scaling uses the formulas of hessnet's `--scale-inputs` (population std, a constant
column left unscaled) on the training part only, and is applied to both files, so hessnet
runs WITHOUT --scale-inputs and every optimizer sees exactly the same numbers. Values are
written in Python's shortest round-trip form, so hessnet and NumPy read identical doubles.
Deterministic: rerunning reproduces the files byte for byte. python3-sklearn is needed
only for its data files (never by hessnet).

Usage: /usr/bin/python3 scripts/make_convergence_data.py [out_dir]
"""
import gzip
import pathlib
import sys

import numpy as np

SKLEARN_DATA = pathlib.Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")
SEED = 0
TRAIN_FRACTION = 0.8


def write(path, table, header, label=False):
    """One CSV: a header line, then each row in shortest round-trip float form (with label,
    the last column as an integer class label)."""
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in table:
            cells = [repr(float(v)) for v in (row[:-1] if label else row)]
            if label:
                cells.append(str(int(row[-1])))
            f.write(",".join(cells) + "\n")


def split(n):
    """Row indices of the seeded 80/20 train/test split of n samples."""
    order = np.random.default_rng(SEED).permutation(n)
    n_train = int(round(TRAIN_FRACTION * n))
    return order[:n_train], order[n_train:]


def standardize(train, test):
    """Both parts scaled with the training part's mean and population std (constant columns: 1)."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[~(std > 0)] = 1.0
    return (train - mean) / std, (test - mean) / std


def fit1d(out):
    rng = np.random.default_rng(SEED)
    header = ["x", "y"]
    for name, n in (("train", 400), ("test", 200)):
        x = rng.uniform(-2.0, 2.0, n)
        y = np.sin(3.0 * x) + 0.3 * x**2
        write(out / f"fit1d-{name}.csv", np.column_stack([x, y]), header)
    return "fit1d: 400 train, 200 test"


def diabetes(out):
    with gzip.open(SKLEARN_DATA / "diabetes_data_raw.csv.gz", "rt") as f:
        x = np.loadtxt(f)
    with gzip.open(SKLEARN_DATA / "diabetes_target.csv.gz", "rt") as f:
        y = np.loadtxt(f)
    assert x.shape == (442, 10) and y.shape == (442,), (x.shape, y.shape)
    train, test = split(len(x))
    x_train, x_test = standardize(x[train], x[test])
    y_train, y_test = standardize(y[train, None], y[test, None])
    header = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "y"]
    write(out / "diabetes-train.csv", np.hstack([x_train, y_train]), header)
    write(out / "diabetes-test.csv", np.hstack([x_test, y_test]), header)
    return f"diabetes: {len(train)} train, {len(test)} test"


def digits(out):
    here = pathlib.Path(__file__).resolve().parent.parent / "data"
    train = np.loadtxt(here / "digits-train.csv", delimiter=",", skiprows=1)
    test = np.loadtxt(here / "digits-test.csv", delimiter=",", skiprows=1)
    scale = np.abs(train[:, :64]).max(axis=0)
    scale[~(scale > 0)] = 1.0
    header = [f"x{i}" for i in range(64)] + ["label"]
    for name, table in (("train", train), ("test", test)):
        scaled = np.column_stack([table[:, :64] / scale, table[:, 64]])
        write(out / f"digits-maxabs-{name}.csv", scaled, header, label=True)
    return f"digits-maxabs: {len(train)} train, {len(test)} test"


def breast_cancer(out):
    path = SKLEARN_DATA / "breast_cancer.csv"
    with open(path) as f:
        first = f.readline().strip().split(",")
    assert first[2:] == ["malignant", "benign"], first  # sklearn's target 0 = malignant
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    assert table.shape == (569, 31), table.shape
    x, malignant = table[:, :30], 1.0 - table[:, 30]
    train, test = split(len(x))
    x_train, x_test = standardize(x[train], x[test])
    stats = ["mean", "se", "worst"]
    features = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
                "concavity", "concave_points", "symmetry", "fractal_dimension"]
    header = [f"{feature}_{stat}" for stat in stats for feature in features] + ["malignant"]
    write(out / "breast-cancer-train.csv", np.column_stack([x_train, malignant[train]]), header)
    write(out / "breast-cancer-test.csv", np.column_stack([x_test, malignant[test]]), header)
    return f"breast-cancer: {len(train)} train, {len(test)} test"


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "data")
    out.mkdir(parents=True, exist_ok=True)
    for make in (fit1d, diabetes, digits, breast_cancer):
        print(make(out), "->", out)


if __name__ == "__main__":
    main()
