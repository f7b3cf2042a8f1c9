# SPDX-License-Identifier: MIT
"""Layers, networks and options: neupy's names, forms, defaults and errors; the table of
algorithms matches the engine's."""
import numpy as np
import pytest

from hessnet import _hessnet, algorithms, regularizers
from hessnet.layers import (Elu, HardSigmoid, Input, LeakyRelu, Linear, Network, Relu, Sigmoid, Softmax, Softplus,
                            Tanh)


def test_networks_print_as_neupy_prints_them():
    network = Input(2) >> Sigmoid(3) >> Sigmoid(1)
    assert repr(network) == "(?, 2) -> [... 3 layers ...] -> (?, 1)"
    assert repr(Input(4, name="in")) == "Input(4, name='in')"
    assert repr(Tanh(3, name="t")) == "Tanh(3, weight=HeNormal(gain=1.0), bias=Constant(0), name='t')"
    assert repr(Relu(3, bias=None, name="r")) == "Relu(3, weight=HeNormal(gain=1.0), bias=None, name='r')"
    assert Sigmoid(3).name.startswith("sigmoid-") and LeakyRelu(2).name.startswith("leaky-relu-")


def test_every_layer_of_the_engine_trains_with_bias_on_or_off(xor):
    x, y = xor
    for layer in (Linear, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus, HardSigmoid):
        network = Input(2) >> layer(3, bias=False) >> Sigmoid(1)
        assert network.n_parameters == 2 * 3 + 4 * 1
        optimizer = algorithms.Hessian(network, penalty_const=0.1, seed=3)
        optimizer.train(x, y, epochs=2)
        assert optimizer.network.parameters.shape == (10,)
    softmax = algorithms.Hessian(Input(2) >> Tanh(4) >> Softmax(2), loss="categorical_crossentropy")
    softmax.train(x, np.hstack([y, 1 - y]), epochs=2)
    assert softmax.network.layers[-1].units == 2 and softmax.network.layers[1].n_units == 4


def test_networks_join_from_layers_lists_and_networks():
    a = Input(3) >> Tanh(4)
    b = Tanh(5) >> Linear(1)
    joined = a >> b
    assert [l.units for l in joined] == [3, 4, 5, 1]
    assert [l.units for l in Network.of([Input(2), Linear(1)])] == [2, 1]
    with pytest.raises(ValueError, match="n_units must be a positive int"):
        Sigmoid(0)
    with pytest.raises(TypeError, match="network must be layers"):
        algorithms.Hessian("Input(2) >> Sigmoid(1)")


def test_a_network_that_does_not_start_with_input_is_refused_by_the_engine():
    with pytest.raises(ValueError, match="[Ii]nput"):
        algorithms.Hessian(Sigmoid(2) >> Sigmoid(1))


def test_the_python_defaults_are_the_engines_defaults():
    for name in algorithms.available():
        own, _ = algorithms.ALGORITHMS[name]
        engine = _hessnet.default_options(name)
        python = dict(algorithms.COMMON_OPTIONS, **own)
        for option, value in engine.items():
            if option in ("signals", "log_curvature", "chunk_bytes"):
                continue
            assert option in python, (name, option)
            expected = python[option]
            assert value == expected or (value is None and expected is None), (name, option, value, expected)


def test_the_table_lists_every_engine_algorithm_with_the_engines_option_names():
    engine = _hessnet.algorithms()
    assert set(engine) <= set(algorithms.ALGORITHMS), "an engine algorithm missing from algorithms.ALGORITHMS"
    for name, options in engine.items():
        own, _ = algorithms.ALGORITHMS[name]
        expected = set(algorithms.COMMON_OPTIONS) - {"signals"} | set(own)
        expected |= {rule for rule in algorithms.STOP_RULES if rule in options}
        assert set(options) == expected, name
        assert getattr(algorithms, name).algorithm == name
    for name in set(algorithms.ALGORITHMS) - set(engine):
        assert not hasattr(algorithms, name), "{} is exported without an engine".format(name)
    assert {"Hessian", "HessianDiagonal"} <= set(algorithms.available())


def test_step_on_hessian_raises_type_error_as_neupys_does():
    with pytest.raises(TypeError, match="Hessian has no step option"):
        algorithms.Hessian(Input(2) >> Sigmoid(1), step=0.1)


def test_unknown_and_bad_options_name_the_option():
    with pytest.raises(TypeError, match="unexpected keyword argument 'penalty'"):
        algorithms.Hessian(Input(2) >> Sigmoid(1), penalty=1)
    with pytest.raises(ValueError, match="penalty_const must be a finite number >= 0, got -1"):
        algorithms.Hessian(Input(2) >> Sigmoid(1), penalty_const=-1)
    with pytest.raises(ValueError, match="min_eigval must be in"):
        algorithms.HessianDiagonal(Input(2) >> Sigmoid(1), min_eigval=2)
    with pytest.raises(ValueError, match="loss: unknown loss 'msee'"):
        algorithms.Hessian(Input(2) >> Sigmoid(1), loss="msee")
    with pytest.raises(TypeError, match="loss must be a name or a function"):
        algorithms.Hessian(Input(2) >> Sigmoid(1), loss=3)
    with pytest.raises(TypeError, match="comm must be an mpi4py communicator"):
        algorithms.Hessian(Input(2) >> Sigmoid(1), comm="world")


def test_wrongly_typed_options_name_the_option_and_numpy_scalars_are_taken():
    net = Input(2) >> Sigmoid(1)
    for options, error, text in [({"penalty_const": "1"}, TypeError, "option penalty_const must be a number, got '1'"),
                                 ({"goal": "x"}, TypeError, "option goal must be a number"),
                                 ({"seed": 1.5}, TypeError, "option seed must be an integer"),
                                 ({"seed": -1}, ValueError, "option seed must be >= 0, got -1"),
                                 ({"seed": 2**64}, ValueError, r"option seed must be in \[0, 18446744073709551615\]"),
                                 ({"show_epoch": 2**40}, ValueError, r"option show_epoch must be in \[-2147483648, "),
                                 ({"max_fail": -2**31 - 1}, ValueError, r"option max_fail must be in \["),
                                 ({"max_fail": 2.0}, TypeError, "option max_fail must be an integer"),
                                 ({"adaptive": "yes"}, TypeError, "option adaptive must be True or False")]:
        with pytest.raises(error, match=text):
            algorithms.Hessian(net, **options)
    optimizer = algorithms.Hessian(net, penalty_const=np.float32(0.5), seed=np.int64(3), shuffle_data=np.bool_(True))
    assert optimizer.penalty_const == 0.5 and optimizer.seed == 3 and optimizer.shuffle_data is True
    with pytest.raises(TypeError, match="TrustRegion has no step option.*tune initial_radius"):
        algorithms.TrustRegion(net, step=2)


def test_options_read_back_as_attributes():
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(1), penalty_const=0.5, shuffle_data=True,
                                   regularizer=regularizers.l2(0.001))
    assert optimizer.penalty_const == 0.5 and optimizer.shuffle_data is True and optimizer.loss == "mse"
    assert optimizer.regularizer == regularizers.l2(0.001) and optimizer.show_epoch == 1
    assert optimizer.options["regularizer"] == ("l2", 0.001, True, False)
    assert repr(regularizers.maxnorm(0.1, exclude=[])) == "maxnorm(decay_rate=0.1, exclude=[])"


def test_regularizers_change_the_objective_as_documented(xor):
    x, y = xor
    base = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), seed=2)
    theta = base.network.parameters
    weights = np.concatenate([theta[0:6], theta[9:12]])  # the two weight matrices; biases excluded
    for reg, penalty in ((regularizers.l2(0.1), 0.1 * np.sum(weights ** 2)),
                         (regularizers.l1(0.1), 0.1 * np.sum(np.abs(weights))),
                         (regularizers.maxnorm(0.1), 0.1 * (np.abs(theta[0:6]).max() + np.abs(theta[9:12]).max()))):
        with_reg = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), seed=2, regularizer=reg)
        with_reg.train(x, y, epochs=1)
        plain = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), seed=2)
        plain.train(x, y, epochs=1)
        assert abs(with_reg.errors.train[0] - plain.errors.train[0] - penalty) < 1e-14, reg
    with pytest.raises(ValueError, match="exclude names tensors"):
        regularizers.l2(0.1, exclude=["kernel"])
