# SPDX-License-Identifier: MIT
"""Model files and checkpoints in the CLI's formats; the exact gradient, Hessian and spectrum."""
import json

import numpy as np
import pytest
from mpi4py import MPI

import hessnet
from hessnet import algorithms
from hessnet.layers import Input, Sigmoid, Tanh

WORLD = MPI.COMM_WORLD


def test_a_saved_model_loads_back_with_the_same_parameters_and_predictions(xor, shared_dir):
    x, y = xor
    optimizer = algorithms.Hessian(Input(2) >> Tanh(3, bias=False) >> Sigmoid(1), penalty_const=0.01)
    optimizer.train(x, y, epochs=5)
    optimizer.save(shared_dir / "model.json")
    document = json.loads((shared_dir / "model.json").read_text())
    assert document["format"] == "hessnet.model/1" and document["layers"][0]["bias"] is None
    network = hessnet.load(shared_dir / "model.json")
    np.testing.assert_array_equal(network.parameters, optimizer.network.parameters)
    np.testing.assert_array_equal(network.predict(x), optimizer.predict(x))
    assert [type(l).__name__ for l in network] == ["Input", "Tanh", "Sigmoid"] and not network.layers[1].bias
    # A loaded network trains on from its parameters.
    again = algorithms.Hessian(network, penalty_const=0.01)
    assert again.errors.train == [] and again.score(x, y) == pytest.approx(optimizer.score(x, y), abs=1e-15)


def test_a_resumed_run_equals_an_uninterrupted_one_bit_for_bit(xor, shared_dir):
    x, y = xor
    options = dict(penalty_const=0.01, adaptive=True, shuffle_data=True, seed=4)
    first = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), **options)
    first.train(x, y, epochs=3, checkpoint=shared_dir / "ck")
    resumed = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), **options)
    resumed.train(x, y, epochs=7, resume=shared_dir / "ck")  # epochs is the total, as the CLI's
    whole = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), **options)
    whole.train(x, y, epochs=7)
    assert resumed.last_epoch == 7 and resumed.errors.train == whole.errors.train
    np.testing.assert_array_equal(resumed.network.parameters, whole.network.parameters)
    other = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), **dict(options, penalty_const=0.5))
    with pytest.raises(ValueError, match="cannot resume: the checkpoint has penalty_const = 0.01, this run 0.5"):
        other.restore_checkpoint(shared_dir / "ck")
    fewer = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), **options)
    with pytest.raises(ValueError, match="the checkpoint was trained on 4 samples, this training set has 3"):
        fewer.train(x[:3], y[:3], epochs=7, resume=shared_dir / "ck")


def test_a_checkpoint_directory_that_cannot_be_made_is_named_as_the_checkpoint_argument(xor, shared_dir):
    x, y = xor
    if WORLD.rank == 0:
        (shared_dir / "taken").write_text("a file where the directory would go")
    WORLD.Barrier()
    optimizer = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), penalty_const=0.01)
    expected = FileExistsError if WORLD.rank == 0 else hessnet.RemoteError
    with pytest.raises(expected, match=r"checkpoint: cannot create the directory \(File exists\)"):
        optimizer.train(x, y, epochs=2, checkpoint=shared_dir / "taken")


def test_the_hessian_is_exact_and_the_spectrum_is_its_eigenvalues(xor, shared_dir):
    x, y = xor
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    g, h = hessnet.hessian(network, x, y, loss="binary_crossentropy", seed=7)
    assert g.shape == (13,) and h.shape == (13, 13) and np.array_equal(h, h.T)
    # Central differences of the exact gradient (a loose check; the engine's own tests are tighter).
    theta = hessnet._hessnet.initial_parameters(network._specs(), 7)
    step = 1e-6
    for k in (0, 5, 12):
        plus, minus = theta.copy(), theta.copy()
        plus[k] += step
        minus[k] -= step
        gp, _ = hessnet.hessian(hessnet.layers.Network(network.layers, plus), x, y, loss="binary_crossentropy")
        gm, _ = hessnet.hessian(hessnet.layers.Network(network.layers, minus), x, y, loss="binary_crossentropy")
        np.testing.assert_allclose((gp - gm) / (2 * step), h[:, k], atol=1e-7)
    spectrum = hessnet.spectrum(network, x, y, loss="binary_crossentropy", seed=7)
    np.testing.assert_allclose(spectrum.eigenvalues, np.linalg.eigvalsh(h), atol=1e-13)
    assert spectrum.n == 13 and spectrum.negative + spectrum.zero + spectrum.positive == 13
    hessnet.save_hessian(network, x, y, hessian_path=shared_dir / "H.npy", gradient_path=shared_dir / "g.npy",
                         loss="binary_crossentropy", seed=7)
    np.testing.assert_array_equal(np.load(shared_dir / "H.npy"), h)
    np.testing.assert_array_equal(np.load(shared_dir / "g.npy"), g)


def test_a_hessian_too_large_for_one_process_is_refused_naming_its_size(xor):
    x, y = xor
    with pytest.raises(ValueError, match=r"at most max_params = 10 parameters; this one has N = 13"):
        hessnet.hessian(Input(2) >> Tanh(3) >> Sigmoid(1), x, y, max_params=10)


def test_a_non_finite_loss_is_refused_by_every_analysis_and_nothing_is_written(xor, shared_dir):
    x, y = (a * 1e200 for a in xor)
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    paths = {"hessian_path": shared_dir / "H.npy", "gradient_path": shared_dir / "g.npy"}
    for analysis in (lambda: hessnet.hessian(network, x, y), lambda: hessnet.spectrum(network, x, y),
                     lambda: hessnet.save_hessian(network, x, y, **paths)):
        with pytest.raises(ValueError, match=r"is not finite \(NaN or overflow from the data or weights\)"):
            analysis()
    assert not any(path.exists() for path in paths.values())


def test_save_hessian_refuses_one_file_for_both_outputs_and_keeps_it(xor, shared_dir):
    x, y = xor
    target = shared_dir / "both.npy"
    if WORLD.rank == 0:
        np.save(target, np.arange(3.0))
    WORLD.Barrier()
    with pytest.raises(ValueError, match=r"the gradient and the Hessian would both be written to"):
        hessnet.save_hessian(Input(2) >> Sigmoid(1), x, y, hessian_path=target,
                             gradient_path=shared_dir / "." / "both.npy")
    np.testing.assert_array_equal(np.load(target), np.arange(3.0))


def test_sharded_data_gives_the_same_hessian_as_the_whole_data():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(9, 2)), rng.uniform(size=(9, 1))
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    g, h = hessnet.hessian(network, x, y, seed=1)
    mine = np.array_split(np.arange(9), WORLD.size)[WORLD.rank]
    gs, hs = hessnet.hessian(network, x[mine], y[mine], seed=1, sharded=True)
    np.testing.assert_allclose(gs, g, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(hs, h, rtol=1e-13, atol=1e-16)


def test_optimizers_sharing_a_network_go_on_from_each_others_weights_as_neupys_do(xor):
    x, y = xor
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    first = algorithms.Hessian(network, seed=1, verbose=False)
    second = algorithms.Hessian(network, verbose=False)
    first.train(x, y, epochs=3)
    after_first = first.score(x, y)
    second.train(x, y, epochs=2)
    assert second.errors.train[0] == pytest.approx(after_first, rel=1e-14)
    np.testing.assert_array_equal(first.predict(x), second.predict(x))
    after_second = second.score(x, y)
    first.train(x, y, epochs=1)
    assert first.errors.train[-1] == pytest.approx(after_second, rel=1e-14)
    assert first.network is network and second.network is network


def test_parameters_set_on_the_network_between_trains_are_the_ones_trained_from(xor):
    x, y = xor
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    optimizer = algorithms.Hessian(network, seed=1, verbose=False)
    optimizer.train(x, y, epochs=2)
    network.parameters = np.full(network.n_parameters, 0.1)
    expected = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), verbose=False)
    expected.network.parameters = np.full(network.n_parameters, 0.1)
    assert optimizer.score(x, y) == expected.score(x, y)
    optimizer.train(x, y, epochs=1)
    assert optimizer.errors.train[-1] == pytest.approx(expected.score(x, y), rel=1e-14)


def test_parameters_set_after_early_stopping_are_not_replaced_by_the_earlier_best(xor):
    x, y = xor
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    optimizer = algorithms.Hessian(network, seed=1, max_fail=2, verbose=False)
    optimizer.train(x, y, x, y, epochs=6)
    earlier_best = network.parameters.copy()
    network.parameters = np.full(network.n_parameters, 0.3)
    optimizer.train(x, y, x, y, epochs=1)
    assert not np.array_equal(network.parameters, earlier_best)
    fresh = algorithms.Hessian(Input(2) >> Tanh(3) >> Sigmoid(1), verbose=False)
    fresh.network.parameters = np.full(network.n_parameters, 0.3)
    assert optimizer.errors.train[-1] == pytest.approx(fresh.score(x, y), rel=1e-14)


def test_a_checkpoint_holds_the_weights_last_set_on_a_shared_network(xor, shared_dir):
    x, y = xor
    network = Input(2) >> Tanh(3) >> Sigmoid(1)
    first, second = (algorithms.Hessian(network, seed=1, verbose=False) for _ in range(2))
    first.train(x, y, epochs=2)
    second.train(x, y, epochs=3)
    latest = network.parameters.copy()
    first.save_checkpoint(shared_dir)
    first.restore_checkpoint(shared_dir)
    np.testing.assert_array_equal(network.parameters, latest)
