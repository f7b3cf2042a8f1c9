# SPDX-License-Identifier: MIT
"""Layers, as in neupy 0.8: ``Input(2) >> Sigmoid(3) >> Sigmoid(1)`` or
``[Input(2), Sigmoid(3), Sigmoid(1)]``.

Every dense layer computes ``activation(x W + b)`` with ``units`` outputs, W of shape
(inputs, units) drawn from HeNormal (std sqrt(2 / fan_in)) and b = 0 unless the network is
given parameters; ``bias=False`` (or ``None``, neupy's spelling) leaves the bias out.
"""
import collections

import numpy as np

from . import _hessnet

__all__ = ("Input", "Linear", "Sigmoid", "Tanh", "Relu", "LeakyRelu", "Elu", "Softplus", "Softmax",
           "HardSigmoid", "Network")

_counters = collections.defaultdict(int)


def _default_name(kind):
    """neupy's layer names: the class name in lower case with dashes, and a counter."""
    _counters[kind] += 1
    dashed = "".join("-" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(kind))
    return "{}-{}".format(dashed, _counters[kind])


class BaseLayer:
    """A layer; ``a >> b`` joins layers and networks into a Network."""

    def __init__(self, name=None):
        self.name = name if name is not None else _default_name(type(self).__name__)

    def __rshift__(self, other):
        return Network([self]) >> other

    def __rrshift__(self, other):
        return Network.of(other) >> self

    def _spec(self):
        raise NotImplementedError


class Input(BaseLayer):
    """The network's input: ``shape`` features per sample (an int, or a 1-tuple)."""

    def __init__(self, shape, name=None):
        if isinstance(shape, (tuple, list)):
            if len(shape) != 1:
                raise ValueError("Input shape must be one number of features, got {!r}".format(shape))
            shape = shape[0]
        if not isinstance(shape, (int, np.integer)) or isinstance(shape, bool) or shape < 1:
            raise ValueError("Input shape must be a positive int, got {!r}".format(shape))
        self.shape = (int(shape),)
        super().__init__(name)

    @property
    def units(self):
        return self.shape[0]

    n_units = units

    def _spec(self):
        return ("Input", self.units, False)

    def __repr__(self):
        return "Input({}, name={!r})".format(self.units, self.name)


class Linear(BaseLayer):
    """A dense layer ``activation(x W + b)`` with ``n_units`` outputs."""

    def __init__(self, n_units, bias=True, name=None):
        if not isinstance(n_units, (int, np.integer)) or isinstance(n_units, bool) or n_units < 1:
            raise ValueError("{}: n_units must be a positive int, got {!r}".format(type(self).__name__, n_units))
        if bias is None:
            bias = False
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError("{}: bias must be True, False or None, got {!r}".format(type(self).__name__, bias))
        self.n_units = int(n_units)
        self.bias = bool(bias)
        super().__init__(name)

    @property
    def units(self):
        return self.n_units

    def _spec(self):
        return (type(self).__name__, self.n_units, self.bias)

    def __repr__(self):
        return "{}({}, weight=HeNormal(gain=1.0), bias={}, name={!r})".format(
            type(self).__name__, self.n_units, "Constant(0)" if self.bias else "None", self.name)


class Sigmoid(Linear):
    """1 / (1 + exp(-z))."""


class Tanh(Linear):
    """tanh(z)."""


class Relu(Linear):
    """max(0, z)."""


class LeakyRelu(Linear):
    """z for z > 0, else 0.01 z."""


class Elu(Linear):
    """z for z > 0, else exp(z) - 1."""


class Softplus(Linear):
    """log(1 + exp(z))."""


class Softmax(Linear):
    """exp(z_j) / sum_k exp(z_k) over the layer's units."""


class HardSigmoid(Linear):
    """clip(0.2 z + 0.5, 0, 1)."""


class Network:
    """Layers in order, from one Input to the output layer, and optionally their parameters
    (one flat vector, layer by layer: weight row by row, then bias, as neupy flattens them).

    ``predict(X)`` needs parameters: those of a trained optimizer (``optimizer.network``) or
    of a model file (``hessnet.load``).
    """

    def __init__(self, layers, parameters=None):
        self.layers = list(layers)
        for layer in self.layers:
            if not isinstance(layer, BaseLayer):
                raise TypeError("network: expected layers, got {!r}".format(layer))
        self.parameters = None if parameters is None else np.ascontiguousarray(parameters, dtype=np.float64)

    @classmethod
    def of(cls, network):
        """A Network from a Network, a layer, or a list or tuple of layers."""
        if isinstance(network, Network):
            return network
        if isinstance(network, BaseLayer):
            return cls([network])
        if isinstance(network, (list, tuple)):
            return cls(network)
        raise TypeError("network must be layers joined with >> or a list of layers, got {!r}".format(network))

    def __rshift__(self, other):
        if isinstance(other, BaseLayer):
            return Network(self.layers + [other])
        return Network(self.layers + Network.of(other).layers)

    def __rrshift__(self, other):
        return Network.of(other) >> self

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)

    def _specs(self):
        return [layer._spec() for layer in self.layers]

    @property
    def input_shape(self):
        return (self.layers[0].units,) if self.layers else None

    @property
    def output_shape(self):
        return (self.layers[-1].units,) if self.layers else None

    @property
    def n_parameters(self):
        """Trainable parameters N (the Hessian is N x N)."""
        total = 0
        for before, layer in zip(self.layers, self.layers[1:]):
            total += (before.units + (1 if layer.bias else 0)) * layer.units
        return total

    def predict(self, X):
        """The outputs for X (one row per sample; a 1-D X is one sample)."""
        from ._data import as_matrix  # pylint: disable=import-outside-toplevel
        if self.parameters is None:
            raise ValueError("network: no parameters yet; train it, or load a model with hessnet.load")
        x = as_matrix(X, "X", columns=self.layers[0].units, one_sample=True)
        return _hessnet.predict(self._specs(), self.parameters, x)

    def __repr__(self):
        if not self.layers:
            return "[empty graph]"
        return "(?, {}) -> [... {} layers ...] -> (?, {})".format(self.layers[0].units, len(self.layers),
                                                                  self.layers[-1].units)


def _layer_of(kind, units, bias):
    """The layer a (kind, units, bias) spec describes (model files, trained optimizers)."""
    if kind == "Input":
        return Input(units)
    return globals()[kind](units, bias=bias)


def network_from_specs(specs, parameters):
    """A Network from the engine's description of one."""
    return Network([_layer_of(*spec) for spec in specs], parameters)
