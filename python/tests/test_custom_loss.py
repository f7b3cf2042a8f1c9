# SPDX-License-Identifier: MIT
"""Custom losses: a Python function f(expected, predicted) gets exact first and second
derivatives from hyper-dual arrays, evaluated once per evaluation on whole arrays."""
import numpy as np
import pytest

import hessnet
from hessnet import algorithms
from hessnet.hyperdual import HyperDualArray, derivatives, elementwise_derivatives
from hessnet.layers import Input, Sigmoid, Softmax, Tanh


def test_the_worked_example_has_the_exact_gradient_and_hessian():
    value, gradient, hessian = derivatives(lambda x, y: x ** 2 + y ** 3 + 7 * x * y, [1.0, 2.0])
    assert value == 1 + 8 + 14
    assert gradient.tolist() == [16.0, 19.0]
    assert hessian.tolist() == [[2.0, 7.0], [7.0, 12.0]]


def test_every_supported_function_has_exact_derivatives():
    x = np.array([0.3, 0.7, 1.9, 2.5])
    cases = {  # f, f', f''
        "log": (np.log, lambda v: 1 / v, lambda v: -1 / v ** 2),
        "exp": (np.exp, np.exp, np.exp),
        "sqrt": (np.sqrt, lambda v: 0.5 / np.sqrt(v), lambda v: -0.25 * v ** -1.5),
        "square": (np.square, lambda v: 2 * v, lambda v: 2 + 0 * v),
        "power": (lambda v: np.power(v, 3.5), lambda v: 3.5 * v ** 2.5, lambda v: 8.75 * v ** 1.5),
        "pow op": (lambda v: v ** 2 / (1 + v), lambda v: (v ** 2 + 2 * v) / (1 + v) ** 2, lambda v: 2 / (1 + v) ** 3),
        "abs": (lambda v: np.abs(v - 1), lambda v: np.sign(v - 1), lambda v: 0 * v),
        "maximum": (lambda v: np.maximum(v, 1) ** 2, lambda v: np.where(v >= 1, 2 * v, 0),
                    lambda v: np.where(v >= 1, 2, 0)),
        "minimum": (lambda v: np.minimum(v, 1) ** 2, lambda v: np.where(v <= 1, 2 * v, 0),
                    lambda v: np.where(v <= 1, 2, 0)),
        "clip": (lambda v: np.clip(v, 0.5, 2) ** 3, lambda v: np.where((v >= 0.5) & (v <= 2), 3 * v ** 2, 0),
                 lambda v: np.where((v >= 0.5) & (v <= 2), 6 * v, 0)),
        "where": (lambda v: np.where(v > 1, np.log(v), -v ** 2), lambda v: np.where(v > 1, 1 / v, -2 * v),
                  lambda v: np.where(v > 1, -1 / v ** 2, -2)),
        "tanh": (np.tanh, lambda v: 1 - np.tanh(v) ** 2, lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
        "log1p": (np.log1p, lambda v: 1 / (1 + v), lambda v: -1 / (1 + v) ** 2),
    }
    for name, (f, d1, d2) in cases.items():
        value, first, second = elementwise_derivatives(lambda t, o: f(o), None, x)
        np.testing.assert_allclose(value, f(x), rtol=1e-15, err_msg=name)
        np.testing.assert_allclose(first, d1(x), rtol=1e-14, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(second, d2(x), rtol=1e-14, atol=1e-15, err_msg=name)


def test_a_custom_squared_error_gives_the_gradient_and_hessian_of_mse_exactly(xor):
    x, y = xor
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    g_named, h_named = hessnet.hessian(network, x, y, loss="mse", seed=5)
    g_custom, h_custom = hessnet.hessian(network, x, y, loss=lambda t, o: (o - t) ** 2, seed=5)
    np.testing.assert_allclose(g_custom, g_named, rtol=0, atol=1e-15)
    np.testing.assert_allclose(h_custom, h_named, rtol=0, atol=1e-14)


def test_a_custom_crossentropy_gives_the_named_losses_derivatives_exactly():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(12, 3))
    y = np.eye(4)[rng.integers(0, 4, 12)]
    network = Input(3) >> Tanh(5) >> Softmax(4)

    def crossentropy(expected, predicted):  # neupy's categorical_crossentropy, elementwise
        return -expected * np.log(np.clip(predicted, 1e-7, 1 - 1e-7)) * 4  # mean over 4 outputs -> sum

    g_named, h_named = hessnet.hessian(network, x, y, loss="categorical_crossentropy", seed=1)
    g_custom, h_custom = hessnet.hessian(network, x, y, loss=crossentropy, seed=1)
    np.testing.assert_allclose(g_custom, g_named, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(h_custom, h_named, rtol=1e-12, atol=1e-14)


def test_the_loss_function_is_called_once_per_evaluation_on_whole_arrays(xor):
    x, y = xor
    shapes = []

    def loss(expected, predicted):
        shapes.append((expected.shape, predicted.shape, type(predicted)))
        return (predicted - expected) ** 2

    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), loss=loss)
    optimizer.train(x, y, epochs=3)
    from mpi4py import MPI
    rows = len(np.array_split(np.arange(4), MPI.COMM_WORLD.size)[MPI.COMM_WORLD.rank])
    assert len(shapes) == 3  # one forward and backward pass per epoch
    assert all(s == ((rows, 1), (rows, 1), HyperDualArray) for s in shapes)
    assert optimizer.options["loss"] == "loss"


def test_training_with_a_custom_loss_equals_training_with_the_named_one(xor):
    x, y = xor
    named = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=0.01, loss="mse")
    named.train(x, y, epochs=10)
    custom = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=0.01,
                                loss=lambda t, o: np.square(t - o))
    custom.train(x, y, epochs=10)
    np.testing.assert_allclose(custom.errors.train, named.errors.train, rtol=1e-13)
    np.testing.assert_allclose(custom.network.parameters, named.network.parameters, rtol=0, atol=1e-12)


def test_a_loss_that_is_not_elementwise_is_refused_with_a_clear_error(xor):
    x, y = xor
    with pytest.raises(TypeError, match="numpy.mean is not elementwise"):
        hessnet.hessian(Input(2) >> Sigmoid(1), x, y, loss=lambda t, o: np.mean((o - t) ** 2))
