# SPDX-License-Identifier: MIT
"""Inputs: float64 C-order arrays are read in place; other dtypes, orders, lists and
DataFrames are converted; bad inputs raise ValueError or TypeError naming the argument."""
import numpy as np
import pytest
from mpi4py import MPI

from hessnet import _hessnet, algorithms
from hessnet._data import as_matrix
from hessnet.layers import Input, Sigmoid

WORLD = MPI.COMM_WORLD


def address(a):
    return a.__array_interface__["data"][0]


def test_float64_c_order_arrays_reach_the_engine_without_a_copy():
    x = np.random.default_rng(0).normal(size=(5, 3))
    converted = as_matrix(x, "X", columns=3)
    assert converted is x
    assert _hessnet.data_address(converted) == address(x)


def test_other_dtypes_orders_and_lists_are_converted_once():
    x = np.arange(12).reshape(4, 3)
    for value in (x, np.asfortranarray(x.astype(np.float32)), x.tolist(), x.astype(bool)):
        converted = as_matrix(value, "X", columns=3)
        assert converted.dtype == np.float64 and converted.flags.c_contiguous
        np.testing.assert_array_equal(converted, np.asarray(value, dtype=float))
    assert as_matrix(np.array([1.0, 0.0]), "y_train", columns=1).shape == (2, 1)


def test_pandas_data_frames_are_accepted():
    pandas = pytest.importorskip("pandas")
    x = pandas.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 0, 1]})
    y = pandas.Series([0, 1, 1, 0])
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1))
    optimizer.train(x, y, epochs=2)
    assert optimizer.predict(x).shape == (4, 1)


@pytest.mark.parametrize("args, error, message", [
    ((np.zeros((4, 3)), np.zeros((4, 1))), ValueError, "X_train has 3 columns, the network needs 2"),
    ((np.zeros((4, 2)), np.zeros((3, 1))), ValueError, "X_train has 4 samples and y_train has 3"),
    ((np.array([[0, 1], [np.nan, 0], [1, 1], [0, 0]]), np.zeros((4, 1))), ValueError,
     r"X_train contains NaN or infinity \(first in row 1\)"),
    ((np.zeros((4, 2)), np.full((4, 1), np.inf)), ValueError, "y_train contains NaN or infinity"),
    ((np.array([["a", "b"]] * 4), np.zeros((4, 1))), TypeError, "X_train must hold numbers, got an array of dtype <U1"),
    ((np.zeros((4, 2), dtype=complex), np.zeros((4, 1))), TypeError, "X_train must hold real numbers"),
    ((np.zeros((4, 2, 1)), np.zeros((4, 1))), ValueError, r"X_train must be 2-D"),
    ((np.zeros((4, 2)), None), ValueError, "y_train is needed"),
])
def test_bad_training_data_raises_naming_the_argument(args, error, message):
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1))
    with pytest.raises(error, match=message):
        optimizer.train(*args, epochs=1)
    assert optimizer.last_epoch == 0


def test_bad_arguments_of_train_raise_naming_the_argument(xor):
    x, y = xor
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1))
    with pytest.raises(ValueError, match="epochs must be > 0, got 0"):
        optimizer.train(x, y, epochs=0)
    with pytest.raises(TypeError, match="epochs must be an int"):
        optimizer.train(x, y, epochs=2.5)
    with pytest.raises(ValueError, match="epochs must be at most 2147483647 after epoch 0, got 2147483648"):
        optimizer.train(x, y, epochs=2**31)
    optimizer.train(x, y, epochs=1)
    with pytest.raises(ValueError, match="epochs must be at most 2147483646 after epoch 1, got 2147483647"):
        optimizer.train(x, y, epochs=2**31 - 1)
    with pytest.raises(ValueError, match="X_test and y_test must be given together, got only X_test"):
        optimizer.train(x, y, X_test=x, epochs=1)
    with pytest.raises(ValueError, match="X_test has 1 columns, the network needs 2"):
        optimizer.train(x, y, x[:, :1], y, epochs=1)
    with pytest.raises(ValueError, match="X has 3 columns"):
        optimizer.predict(np.zeros((2, 3)))


def test_fewer_samples_than_ranks_is_refused_on_every_rank_by_the_engine():
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(1))
    x = np.zeros((1, 2)); y = np.zeros((1, 1))
    if WORLD.size == 1:
        optimizer.train(x, y, epochs=1)
        return
    with pytest.raises(ValueError, match="fewer than the 2 MPI ranks"):
        optimizer.train(x, y, epochs=1)


def test_sharded_data_gives_the_same_training_as_the_whole_data(xor):
    x, y = xor
    whole = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=0.1)
    whole.train(x, y, epochs=3)
    mine = np.array_split(np.arange(4), WORLD.size)[WORLD.rank]
    sharded = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=0.1)
    sharded.train(x[mine], y[mine], epochs=3, sharded=True)
    assert sharded.errors.train == whole.errors.train
    np.testing.assert_array_equal(sharded.network.parameters, whole.network.parameters)


def test_bad_sharded_data_on_one_rank_raises_on_every_rank(xor):
    x, y = xor
    mine = np.array_split(np.arange(4), WORLD.size)[WORLD.rank]
    xs = x[mine].copy()
    if WORLD.rank == WORLD.size - 1:
        xs[0, 0] = np.nan
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1))
    expected = ValueError if WORLD.rank == WORLD.size - 1 else Exception
    with pytest.raises(expected, match="X_train contains NaN"):
        optimizer.train(xs, y[mine], epochs=1, sharded=True)


def test_ranks_given_different_options_all_raise_naming_the_difference(xor):
    # A script that computes an option per rank would otherwise hang in mismatched collectives.
    x, y = xor

    def train():
        optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), seed=1, penalty_const=1 + WORLD.rank)
        optimizer.train(x, y, epochs=1)

    if WORLD.size == 1:
        train()
        return
    with pytest.raises(ValueError, match="rank 1 has penalty_const = 2 where rank 0 has 1"):
        train()


def test_an_mpi4py_communicator_chooses_the_ranks_that_train_together(xor):
    x, y = xor
    alone = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), comm=MPI.COMM_SELF)
    alone.train(x, y, epochs=3)  # every rank trains on its own, on all four samples
    together = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), comm=WORLD)
    together.train(x, y, epochs=3)
    np.testing.assert_allclose(alone.errors.train, together.errors.train, rtol=1e-13)
    assert WORLD.allgather(alone.errors.train) == [alone.errors.train] * WORLD.size


def test_a_network_with_a_non_finite_parameter_is_refused_naming_it():
    network = Input(2) >> Sigmoid(3) >> Sigmoid(1)
    parameters = np.zeros(network.n_parameters)
    parameters[7] = np.inf
    network.parameters = parameters
    with pytest.raises(ValueError, match=r"parameter 7 \(layer 1\) is inf"):
        algorithms.Hessian(network, verbose=False).train(np.eye(2), np.ones((2, 1)), epochs=1)
