# SPDX-License-Identifier: MIT
"""Losses: a name, or a function ``f(expected, predicted)`` of one value per element.

Named losses (as neupy's): mae, mse, rmse, msle, rmsle, binary_crossentropy,
categorical_crossentropy, binary_hinge, categorical_hinge. They run in C++.

A custom function is evaluated on whole arrays, once per evaluation of the objective on each
rank (not per sample), with ``predicted`` a ``HyperDualArray``: the exact first and second
derivatives in ``predicted`` come out with the values (``hyperdual.py``). The loss is the mean
of f over all elements, as for neupy's custom losses.
"""
from .hyperdual import elementwise_derivatives

NAMES = ("mae", "mse", "rmse", "msle", "rmsle", "binary_crossentropy", "categorical_crossentropy",
         "binary_hinge", "categorical_hinge")


def engine_loss(loss):
    """(what the engine takes, the name the options show) for a loss name or function."""
    if isinstance(loss, str):
        if loss not in NAMES:
            raise ValueError("loss: unknown loss {!r} (known: {}, or a function f(expected, predicted))".format(
                loss, ", ".join(NAMES)))
        return loss, loss
    if not callable(loss):
        raise TypeError("loss must be a name or a function f(expected, predicted), got {!r}".format(loss))

    def batch(expected, predicted):
        return elementwise_derivatives(loss, expected, predicted)

    return batch, getattr(loss, "__name__", "custom")
