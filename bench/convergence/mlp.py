# SPDX-License-Identifier: MIT
"""A NumPy reference of hessnet's dense network, its losses, gradient and residual Jacobian.

Semantics follow docs/file-formats.md and the neupy parity notes:
- a layer computes phi(x W + b), W of shape (fan_in, units), b optional;
- the flat parameter vector theta is, layer after layer, W row-major then b;
- mse = mean over every element of (o - t)^2; binary_crossentropy = mean over every element
  of -(t log p + (1 - t) log(1 - p)); categorical_crossentropy = -mean over samples of
  sum over classes of t log p; p = o clipped to [1e-7, 1 - 1e-7] (zero slope outside).
Float64 throughout; the gradient is hand-written backpropagation.
"""
import json
import os
import tempfile
from dataclasses import dataclass

import numpy as np

CLIP = 1e-7
LOSSES = ("mse", "binary_crossentropy", "categorical_crossentropy")


@dataclass(frozen=True)
class Layer:
    """One dense layer: activation name, fan-in, units, whether it has a bias."""
    activation: str
    fan_in: int
    units: int
    bias: bool

    @property
    def size(self):
        return self.fan_in * self.units + (self.units if self.bias else 0)


def _activate(name, z):
    if name == "Linear":
        return z
    if name == "Sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "Tanh":
        return np.tanh(z)
    if name == "Relu":
        return np.maximum(z, 0.0)
    if name == "Softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"activation {name} is not in this reference (Linear, Sigmoid, Tanh, Relu, Softmax)")


def _pull_back(name, z, a, upstream):
    """dL/dz from dL/da for a = phi(z), row by row (samples as rows)."""
    if name == "Linear":
        return upstream
    if name == "Sigmoid":
        return upstream * a * (1.0 - a)
    if name == "Tanh":
        return upstream * (1.0 - a * a)
    if name == "Relu":
        return upstream * (z > 0)
    if name == "Softmax":
        return a * (upstream - (upstream * a).sum(axis=1, keepdims=True))
    raise ValueError(name)


class Network:
    """Architecture of a hessnet model; parameters live outside, in one flat vector."""

    def __init__(self, n_in, layers):
        self.n_in = n_in
        self.layers = list(layers)
        self.n_params = sum(layer.size for layer in self.layers)

    @property
    def n_out(self):
        return self.layers[-1].units

    def describe(self):
        return " >> ".join([f"Input({self.n_in})"] + [f"{l.activation}({l.units})" for l in self.layers])

    def unpack(self, theta):
        """Views (W, b or None) of each layer inside theta."""
        theta = np.asarray(theta, dtype=np.float64)
        assert theta.shape == (self.n_params,), theta.shape
        out, offset = [], 0
        for layer in self.layers:
            w = theta[offset:offset + layer.fan_in * layer.units].reshape(layer.fan_in, layer.units)
            offset += layer.fan_in * layer.units
            b = None
            if layer.bias:
                b = theta[offset:offset + layer.units]
                offset += layer.units
            out.append((w, b))
        return out

    def forward(self, theta, x):
        """Pre-activations and activations of every layer: (zs, activations[0] = x)."""
        activations, zs = [np.asarray(x, dtype=np.float64)], []
        for layer, (w, b) in zip(self.layers, self.unpack(theta)):
            z = activations[-1] @ w
            if b is not None:
                z = z + b
            zs.append(z)
            activations.append(_activate(layer.activation, z))
        return zs, activations

    def predict(self, theta, x):
        return self.forward(theta, x)[1][-1]

    def _deltas(self, theta, zs, activations, seed):
        """dL/dz of every layer, back from dL/d(output) = seed."""
        params = self.unpack(theta)
        deltas = [None] * len(self.layers)
        upstream = seed
        for m in range(len(self.layers) - 1, -1, -1):
            deltas[m] = _pull_back(self.layers[m].activation, zs[m], activations[m + 1], upstream)
            upstream = deltas[m] @ params[m][0].T
        return deltas

    def loss_and_gradient(self, theta, x, t, loss):
        """Loss value and its exact gradient with respect to theta (backpropagation)."""
        zs, activations = self.forward(theta, x)
        value, seed = loss_and_output_gradient(loss, activations[-1], t)
        deltas = self._deltas(theta, zs, activations, seed)
        parts = []
        for layer, a, d in zip(self.layers, activations[:-1], deltas):
            parts.append((a.T @ d).ravel())
            if layer.bias:
                parts.append(d.sum(axis=0))
        return value, np.concatenate(parts)

    def residual_jacobian(self, theta, x, t):
        """Residuals e = (outputs - targets) flattened sample by sample, and J = de/dtheta.

        J has one row per (sample, output) pair, in the order of e, and N columns. For mse,
        the gradient is 2 J^T e / e.size.
        """
        zs, activations = self.forward(theta, x)
        outputs = activations[-1]
        n, k = outputs.shape
        jacobian = np.empty((n, k, self.n_params))
        for j in range(k):
            seed = np.zeros_like(outputs)
            seed[:, j] = 1.0
            deltas = self._deltas(theta, zs, activations, seed)
            offset = 0
            for layer, a, d in zip(self.layers, activations[:-1], deltas):
                size = layer.fan_in * layer.units
                jacobian[:, j, offset:offset + size] = (a[:, :, None] * d[:, None, :]).reshape(n, size)
                offset += size
                if layer.bias:
                    jacobian[:, j, offset:offset + layer.units] = d
                    offset += layer.units
        return (outputs - t).ravel(), jacobian.reshape(n * k, self.n_params)


def loss_value(loss, outputs, targets):
    """hessnet's loss of outputs against targets (rows = samples)."""
    return loss_and_output_gradient(loss, outputs, targets)[0]


def loss_and_output_gradient(loss, o, t):
    """(loss, dL/do) for mse, binary_crossentropy or categorical_crossentropy."""
    n = o.shape[0]
    if loss == "mse":
        r = o - t
        return float(np.mean(r * r)), 2.0 * r / r.size
    inside = (o > CLIP) & (o < 1.0 - CLIP)
    p = np.clip(o, CLIP, 1.0 - CLIP)
    if loss == "binary_crossentropy":
        value = -(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
        return float(value.mean()), inside * (-(t / p) + (1.0 - t) / (1.0 - p)) / o.size
    if loss == "categorical_crossentropy":
        return float(-(t * np.log(p)).sum() / n), inside * (-t / p) / n
    raise ValueError(f"loss {loss} is not in this reference ({', '.join(LOSSES)})")


def accuracy(outputs, targets):
    """Argmax agreement with several outputs; with one output, the 0.5 threshold (0/1 targets)."""
    if outputs.shape[1] > 1:
        return float(np.mean(outputs.argmax(axis=1) == targets.argmax(axis=1)))
    return float(np.mean((outputs[:, 0] >= 0.5) == (targets[:, 0] >= 0.5)))


def load_model(path):
    """(Network, theta) from a hessnet.model/1 JSON file."""
    with open(path) as f:
        doc = json.load(f)
    if doc.get("format") != "hessnet.model/1":
        raise ValueError(f"{path}: format {doc.get('format')!r} is not hessnet.model/1")
    fan_in, layers, parts = int(doc["input"]), [], []
    for entry in doc["layers"]:
        units = int(entry["units"])
        w = np.asarray(entry["weight"], dtype=np.float64).reshape(fan_in, units)
        layers.append(Layer(entry["type"], fan_in, units, entry["bias"] is not None))
        parts.append(w.ravel())
        if entry["bias"] is not None:
            parts.append(np.asarray(entry["bias"], dtype=np.float64).reshape(units))
        fan_in = units
    return Network(int(doc["input"]), layers), np.concatenate(parts)


def save_model(path, network, theta):
    """Writes theta as a hessnet.model/1 JSON file (shortest round-trip floats), atomically."""
    layers = []
    for layer, (w, b) in zip(network.layers, network.unpack(theta)):
        layers.append({"type": layer.activation, "units": layer.units,
                       "weight": [[float(v) for v in row] for row in w],
                       "bias": None if b is None else [float(v) for v in b]})
    doc = {"format": "hessnet.model/1", "input": network.n_in, "layers": layers}
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".json.tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, allow_nan=False)
    os.replace(tmp, path)
