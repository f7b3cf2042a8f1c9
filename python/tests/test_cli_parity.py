# SPDX-License-Identifier: MIT
"""The same data, seed and options give the same model from Python as from `hessnet train`."""
import json
import subprocess

import numpy as np
import pytest
from conftest import ROOT, WORLD, child_environment, hessnet_program

import hessnet
from hessnet import algorithms, regularizers
from hessnet.layers import Input, Sigmoid, Softmax


def cli_train(directory, arguments):
    """Rank 0 runs `hessnet train` on one process; every rank gets the saved parameters."""
    parameters = None
    if WORLD.rank == 0:
        command = [hessnet_program(), "train", "--save", str(directory / "cli.json"), "-q"] + arguments
        done = subprocess.run(command, env=child_environment(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        layers = json.loads((directory / "cli.json").read_text())["layers"]
        parameters = np.concatenate([np.concatenate([np.ravel(l["weight"]), np.ravel(l["bias"] or [])])
                                     for l in layers])
    return WORLD.bcast(parameters)


@pytest.mark.parametrize("optimizer_options, cli_options", [
    (dict(penalty_const=0.1, shuffle_data=True, regularizer=regularizers.l2(0.001)),
     ["--penalty", "0.1", "--shuffle", "--regularizer", "l2:0.001"]),
    (dict(penalty_const=0.01, adaptive=True), ["--penalty", "0.01", "--adaptive"]),
])
def test_the_same_data_seed_and_options_give_the_clis_model(shared_dir, optimizer_options, cli_options):
    table = np.loadtxt(ROOT / "data" / "digits-train.csv", delimiter=",", skiprows=1, max_rows=300)
    if WORLD.rank == 0:
        np.savetxt(shared_dir / "train.csv", table, delimiter=",", fmt="%d")
    WORLD.Barrier()
    network = "Input(64) >> Sigmoid(8) >> Softmax(10)"
    expected = cli_train(shared_dir, ["--network", network, "--seed", "3", "--data", str(shared_dir / "train.csv"),
                                      "--loss", "categorical_crossentropy", "--epochs", "5"] + cli_options)
    x, y = table[:, :64], np.eye(10)[table[:, 64].astype(int)]
    optimizer = algorithms.Hessian(Input(64) >> Sigmoid(8) >> Softmax(10), seed=3, loss="categorical_crossentropy",
                                   **optimizer_options)
    optimizer.train(x, y, epochs=5)
    got = optimizer.network.parameters
    assert np.max(np.abs(got - expected)) <= 1e-12 * np.max(np.abs(expected))
    np.testing.assert_array_equal(hessnet.load(shared_dir / "cli.json").parameters, expected)


def test_the_cli_predicts_with_a_model_saved_from_python(shared_dir, xor):
    x, y = xor
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=0.01)
    optimizer.train(x, y, epochs=5)
    optimizer.save(shared_dir / "python.json")
    if WORLD.rank == 0:
        np.save(shared_dir / "x.npy", x)
        command = [hessnet_program(), "predict", "--model", str(shared_dir / "python.json"), "--data",
                   str(shared_dir / "x.npy"), "--out", str(shared_dir / "predicted.npy")]
        done = subprocess.run(command, env=child_environment(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        np.testing.assert_array_equal(np.load(shared_dir / "predicted.npy"), optimizer.predict(x))
    WORLD.Barrier()
