# SPDX-License-Identifier: MIT
"""Signals (neupy's training callbacks): a function, a dict, a list of them, or objects.

- a function ``f(optimizer)`` is called at the end of every epoch;
- a dict maps event names to a function (or a list of functions) called as
  ``f(optimizer, **data)``;
- a class is instantiated; an object's methods named after events are called as
  ``obj.event(optimizer, **data)``, as neupy's signal objects;
- a list or tuple may mix all of these, called in order.

Events, in order: ``train_start`` (once per ``train``: X_train, y_train, epochs, batch_size),
then per epoch ``epoch_start``, ``update_start``, ``train_error`` (value, eta, epoch,
n_updates, n_samples), ``update_end``, ``valid_error`` (with test data; same data as
train_error), ``epoch_end``, and ``train_end`` once at the end, also after an early stop.
Raise ``hessnet.StopTraining("why")`` in any of them to end training cleanly.

Under MPI every signal runs on every rank with the same data, so a signal may call
collective methods (``optimizer.score``, ``optimizer.save``); a StopTraining on any rank stops
every rank at the same epoch, and any other exception ends ``train`` on every rank (the rank
that raised it re-raises it, the others raise ``hessnet.RemoteError``).
"""
import inspect

__all__ = ("EVENTS", "EpochEndSignal")

EVENTS = ("train_start", "epoch_start", "update_start", "train_error", "update_end", "valid_error", "epoch_end",
          "train_end")


class EpochEndSignal:
    """A function called with the optimizer at the end of every epoch."""

    def __init__(self, function):
        self.function = function

    def epoch_end(self, optimizer):
        self.function(optimizer)


class EventMap:
    """The dict form: event name -> function or list of functions."""

    def __init__(self, mapping):
        for name, functions in mapping.items():
            if name not in EVENTS:
                raise ValueError("signals: unknown event {!r} (events: {})".format(name, ", ".join(EVENTS)))
            functions = list(functions) if isinstance(functions, (list, tuple)) else [functions]
            for function in functions:
                if not callable(function):
                    raise TypeError("signals[{!r}] must be a function, got {!r}".format(name, function))
            setattr(self, name, _calling_all(functions))


def _calling_all(functions):
    def call(optimizer, **data):
        for function in functions:
            function(optimizer, **data)
    return call


def normalize(signals):
    """The signal objects of neupy's ``signals`` option, in order."""
    if signals is None:
        return []
    items = list(signals) if isinstance(signals, (list, tuple)) else [signals]
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(EventMap(item))
        elif inspect.isclass(item):
            out.append(item())
        elif any(hasattr(item, name) for name in EVENTS):
            out.append(item)
        elif callable(item):
            out.append(EpochEndSignal(item))
        else:
            raise TypeError("signals must be a function, a dict of event: function, a signal object or a list of "
                            "them, got {!r}".format(item))
    return out


def events_of(signals):
    """The events any of the signal objects listens to."""
    return [name for name in EVENTS if any(hasattr(s, name) for s in signals)]
