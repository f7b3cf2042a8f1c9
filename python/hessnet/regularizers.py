# SPDX-License-Identifier: MIT
"""Regularizers, as neupy's: ``l1``, ``l2`` and ``maxnorm`` with ``decay_rate`` and ``exclude``.

Each penalty is computed per parameter tensor (a layer's weight, or its bias) and summed over
the tensors not excluded (``exclude=['bias']`` by default), and added to the training loss only:

- ``l1(decay_rate=0.01)``: decay_rate * sum |w|
- ``l2(decay_rate=0.01)``: decay_rate * sum w^2 (adds 2 decay_rate to the Hessian diagonal)
- ``maxnorm(decay_rate=0.01)``: decay_rate * max |w|

>>> from hessnet import algorithms, regularizers
>>> # algorithms.Hessian(network, regularizer=regularizers.l2(0.001))
"""

__all__ = ("l1", "l2", "maxnorm", "Regularizer")

_TENSORS = ("weight", "bias")


class Regularizer:
    """A penalty of the kind ``name`` on the tensors not in ``exclude``."""

    def __init__(self, name, decay_rate=0.01, exclude=("bias",)):
        if isinstance(decay_rate, bool) or not isinstance(decay_rate, (int, float)) or not decay_rate >= 0:
            raise ValueError("{}: decay_rate must be a number >= 0, got {!r}".format(name, decay_rate))
        if isinstance(exclude, str):
            exclude = [exclude]
        exclude = list(exclude or [])
        for tensor in exclude:
            if tensor not in _TENSORS:
                raise ValueError("{}: exclude names tensors 'weight' and 'bias', got {!r}".format(name, tensor))
        self.name = name
        self.decay_rate = float(decay_rate)
        self.exclude = exclude

    def _spec(self):
        return (self.name, self.decay_rate, "bias" in self.exclude, "weight" in self.exclude)

    def __eq__(self, other):
        return isinstance(other, Regularizer) and self._spec() == other._spec()

    def __repr__(self):
        return "{}(decay_rate={}, exclude={!r})".format(self.name, self.decay_rate, self.exclude)


def l1(decay_rate=0.01, exclude=("bias",)):
    """decay_rate * sum |w| over the tensors not excluded."""
    return Regularizer("l1", decay_rate, exclude)


def l2(decay_rate=0.01, exclude=("bias",)):
    """decay_rate * sum w^2 over the tensors not excluded."""
    return Regularizer("l2", decay_rate, exclude)


def maxnorm(decay_rate=0.01, exclude=("bias",)):
    """decay_rate * max |w| over the tensors not excluded."""
    return Regularizer("maxnorm", decay_rate, exclude)


def engine_regularizer(regularizer):
    """The engine's form of a regularizer (None for none)."""
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        raise TypeError("regularizer must be hessnet.regularizers.l1/l2/maxnorm(...) or None, got {!r}".format(
            regularizer))
    return regularizer._spec()  # pylint: disable=protected-access

