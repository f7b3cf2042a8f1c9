# SPDX-License-Identifier: MIT
"""neupy's documented example runs with one import line changed, and learns."""
import numpy as np

from hessnet import algorithms
from hessnet.layers import *  # noqa: F401,F403 (as the doc writes it)
from hessnet.layers import Input, Linear, Sigmoid, Tanh


def test_the_doc_example_trains_with_verbose_output_and_neupys_attributes(capsys):
    x_train = np.array([[1, 2], [3, 4]])
    y_train = np.array([[1], [0]])
    network = Input(2) >> Sigmoid(3) >> Sigmoid(1)
    optimizer = algorithms.Hessian(network, penalty_const=1, verbose=True)
    optimizer.train(x_train, y_train, epochs=100)
    out = capsys.readouterr().out
    assert optimizer.last_epoch == 100 and optimizer.n_updates_made == 100
    assert len(optimizer.errors.train) == 100 and optimizer.errors.valid == []
    assert optimizer.errors.train[-1] < optimizer.errors.train[0]
    assert optimizer.predict(x_train).shape == (2, 1)
    from mpi4py import MPI
    if MPI.COMM_WORLD.rank == 0:
        assert "[OPTION] penalty_const = 1" in out and "#100 : [" in out


def test_the_list_form_and_fit_give_the_same_training_as_the_arrow_form():
    x = np.array([[1, 2], [3, 4]]); y = np.array([[1], [0]])
    a = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1))
    a.train(x, y, epochs=5)
    b = algorithms.Hessian([Input(2), Sigmoid(3), Sigmoid(1)])
    assert b.fit(x, y, epochs=5) is b
    assert a.errors.train == b.errors.train
    np.testing.assert_array_equal(a.network.parameters, b.network.parameters)


def test_validation_errors_are_recorded_after_every_epoch(xor):
    x, y = xor
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=1e-3)
    optimizer.train(x, y, x, y, epochs=40)
    assert len(optimizer.errors.valid) == 40
    assert optimizer.errors.train[-1] < 1e-3
    assert abs(optimizer.errors.valid[-1] - optimizer.score(x, y)) < 1e-15
    np.testing.assert_allclose(optimizer.predict(x), y, atol=0.1)
    # A second train continues from epoch 41.
    optimizer.train(x, y, epochs=2)
    assert optimizer.last_epoch == 42 and len(optimizer.errors.train) == 42


def test_hessian_diagonal_trains_too(xor):
    x, y = xor
    optimizer = algorithms.HessianDiagonal(Input(2) >> Sigmoid(3) >> Sigmoid(1), step=0.5, min_eigval=0.1)
    optimizer.train(x, y, epochs=10)
    assert optimizer.n_updates_made == 10 and optimizer.step == 0.5 and optimizer.min_eigval == 0.1


def test_trust_region_and_trainlm_fit_a_smooth_function_and_stop_on_their_goal():
    x = np.linspace(-2, 2, 40).reshape(-1, 1)
    y = np.sin(2 * x)
    network = Input(1) >> Tanh(8) >> Linear(1)
    trust = algorithms.TrustRegion(network, seed=1, goal=1e-4)
    trust.train(x, y, epochs=300)
    assert trust.errors.train[-1] <= 1e-4 < trust.errors.train[0]
    lm = algorithms.LevenbergMarquardt(network, mu=0.001, mu_update_factor=10, retry=True, seed=1)
    lm.train(x, y, epochs=60)
    assert all(b < a for a, b in zip(lm.errors.train, lm.errors.train[1:]))  # trainlm never raises the loss
    assert lm.errors.train[-1] < 1e-3
