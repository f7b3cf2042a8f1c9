# SPDX-License-Identifier: MIT
"""Signals in neupy's forms and order; StopTraining ends training cleanly on every rank; any
other exception ends it on every rank, re-raised unchanged where it was raised."""
import pytest
from mpi4py import MPI

import hessnet
from hessnet import algorithms
from hessnet.layers import Input, Sigmoid

WORLD = MPI.COMM_WORLD
NET = lambda: Input(2) >> Sigmoid(3) >> Sigmoid(1)  # noqa: E731


class Recorder:
    """A neupy-style signal object: one method per event."""

    def __init__(self):
        self.log = []

    def __getattr__(self, event):
        if event not in hessnet.signals.EVENTS:
            raise AttributeError(event)
        return lambda optimizer, **data: self.log.append((event, optimizer.last_epoch, sorted(data)))


def test_signals_fire_in_neupys_order_with_neupys_arguments(xor):
    x, y = xor
    recorder = Recorder()
    optimizer = algorithms.Hessian(NET(), signals=recorder)
    optimizer.train(x, y, x, y, epochs=2)
    error_keys = ["epoch", "eta", "n_samples", "n_updates", "value"]
    per_epoch = lambda e: [("epoch_start", e - 1 if e == 1 else e, []), ("update_start", e, []),  # noqa: E731
                           ("train_error", e, error_keys), ("update_end", e, []), ("valid_error", e, error_keys),
                           ("epoch_end", e, [])]
    expected = [("train_start", 0, ["X_train", "batch_size", "epochs", "y_train"])]
    expected += per_epoch(1) + per_epoch(2) + [("train_end", 2, [])]
    # epoch_start sees last_epoch already set to the new epoch, as the engine numbers it.
    expected[1] = ("epoch_start", 1, [])
    assert recorder.log == expected


def test_a_function_is_an_epoch_end_signal_and_a_dict_maps_events_to_functions(xor):
    x, y = xor
    ends, errors = [], []
    optimizer = algorithms.Hessian(NET(), signals=[
        lambda opt: ends.append(opt.last_epoch),
        {"train_error": lambda opt, value, epoch, **rest: errors.append((epoch, value, rest["n_samples"]))},
    ])
    optimizer.train(x, y, epochs=3)
    assert ends == [1, 2, 3]
    assert [(e, v) for e, v, _ in errors] == list(zip([1, 2, 3], optimizer.errors.train))
    assert all(n == 4 for _, _, n in errors)
    with pytest.raises(ValueError, match="signals: unknown event 'epoch_ends'"):
        algorithms.Hessian(NET(), signals={"epoch_ends": print})


def test_stop_training_ends_training_cleanly_on_every_rank(xor):
    x, y = xor
    ends = []

    def stop_on_last_rank(optimizer):
        if optimizer.last_epoch == 2 and WORLD.rank == WORLD.size - 1:
            raise hessnet.StopTraining("good enough")

    optimizer = algorithms.Hessian(NET(), signals={"epoch_end": stop_on_last_rank,
                                                   "train_end": lambda opt: ends.append(opt.last_epoch)})
    optimizer.train(x, y, epochs=10)
    assert optimizer.last_epoch == 2 and optimizer.n_updates_made == 2
    assert optimizer.stopped and optimizer.stop_message == "good enough"
    assert ends == [2]
    optimizer.train(x, y, epochs=1)  # and training may go on
    assert optimizer.last_epoch == 3 and not optimizer.stopped


def test_an_exception_in_a_signal_is_reraised_where_raised_and_remote_error_elsewhere(xor):
    x, y = xor
    failing = WORLD.size - 1

    def fail(optimizer):
        if WORLD.rank == failing and optimizer.last_epoch == 2:
            raise KeyError("no such column")

    optimizer = algorithms.Hessian(NET(), signals=fail)
    expected = KeyError if WORLD.rank == failing else hessnet.RemoteError
    with pytest.raises(expected) as raised:
        optimizer.train(x, y, epochs=5)
    assert "no such column" in str(raised.value)
    assert optimizer.last_epoch == 2
    # The engine is usable afterwards on every rank.
    optimizer.train(x, y, epochs=1)
    assert optimizer.last_epoch == 3


def test_an_exception_in_a_custom_loss_on_one_rank_ends_training_on_every_rank(xor):
    x, y = xor
    calls = []

    def loss(t, o):
        calls.append(1)
        if len(calls) == 2 and WORLD.rank == 0:
            raise FloatingPointError("overflow in my loss")
        return (o - t) ** 2

    optimizer = algorithms.Hessian(NET(), loss=loss)
    with pytest.raises(FloatingPointError if WORLD.rank == 0 else hessnet.RemoteError, match="overflow in my loss"):
        optimizer.train(x, y, epochs=5)
    assert optimizer.n_updates_made == 1


def test_signals_may_call_collectives_and_read_the_optimizer(xor, shared_dir):
    x, y = xor
    scores = []
    optimizer = algorithms.Hessian(NET(), signals=lambda opt: scores.append(opt.score(x, y)))
    optimizer.train(x, y, epochs=2, checkpoint=shared_dir / "ck", checkpoint_every=1)
    assert len(scores) == 2 and abs(scores[-1] - optimizer.score(x, y)) < 1e-15
    assert (shared_dir / "ck" / "checkpoint.json").exists()
