# SPDX-License-Identifier: MIT
"""The exact gradient, Hessian and Hessian spectrum of loss + regularizer for a network on
data, at the network's parameters (or a HeNormal initialisation from ``seed``).

- ``hessian(network, X, y, loss=...)`` -> (g, H) as NumPy arrays on every rank, for networks
  small enough that one process holds H (``max_params``, default 4096: 128 MiB); a larger one
  raises ValueError naming N.
- ``save_hessian(network, X, y, hessian_path='H.npy', gradient_path='g.npy')`` writes them as
  .npy files for any N, streamed from the distributed matrix (no rank holds all of H).
- ``spectrum(network, X, y)`` -> Spectrum: every eigenvalue (ScaLAPACK pdsyev) and the counts
  read off them.

All are collective under MPI (``comm``, default COMM_WORLD), with the same data conventions as
``train`` (``sharded``), and the layout options of ``algorithms.Hessian`` (grid, block_size).
"""
import os

from mpi4py import MPI

from . import _hessnet
from ._data import as_matrix, check_same_rows
from .layers import Network
from .losses import engine_loss
from .regularizers import engine_regularizer

__all__ = ("hessian", "save_hessian", "spectrum", "Spectrum")


class Spectrum:
    """Eigenvalues of a Hessian (ascending) and what they say: ``min``, ``max``, ``condition``
    (max|ev| / min|ev|, inf when singular), ``negative``, ``zero`` (|ev| <= N eps max|ev|,
    ``zero_tolerance``), ``positive``; ``loss`` is the objective where H was taken."""

    def __init__(self, eigenvalues, summary, loss):
        self.eigenvalues = eigenvalues
        self.loss = loss
        for key, value in summary.items():
            setattr(self, key, value)

    def __repr__(self):
        return "Spectrum(n={}, min={:.6g}, max={:.6g}, negative={}, zero={}, positive={})".format(
            self.n, self.min, self.max, self.negative, self.zero, self.positive)


def _problem(network, X, y, loss, regularizer, seed, sharded, grid, block_size, comm):
    network = Network.of(network)
    n_in, n_out = network.layers[0].units, network.layers[-1].units

    def prepare():
        x = as_matrix(X, "X", columns=n_in)
        t = as_matrix(y, "y", columns=n_out)
        check_same_rows(x, t, "X", "y")
        engine, name = engine_loss(loss)
        return {"layers": network._specs(), "parameters": network.parameters,  # pylint: disable=protected-access
                "seed": int(seed), "x": x, "y": t, "sharded": bool(sharded), "loss": engine, "loss_name": name,
                "regularizer": engine_regularizer(regularizer), "grid": grid, "block_size": int(block_size)}

    return _hessnet.agree(comm, prepare)


def hessian(network, X, y, loss="mse", regularizer=None, seed=0, sharded=False, comm=None, max_params=4096,
            grid="auto", block_size=128):
    """(g, H): the exact gradient (N,) and Hessian (N, N) as NumPy arrays on every rank."""
    comm = MPI.COMM_WORLD if comm is None else comm
    problem = _problem(network, X, y, loss, regularizer, seed, sharded, grid, block_size, comm)
    g, h, _ = _hessnet.hessian(problem, comm, int(max_params))
    return g, h


def save_hessian(network, X, y, hessian_path=None, gradient_path=None, loss="mse", regularizer=None, seed=0,
                 sharded=False, comm=None, grid="auto", block_size=128):
    """Writes H (N x N float64, C order) and/or g as .npy files (rank 0, streamed); returns the loss."""
    if hessian_path is None and gradient_path is None:
        raise ValueError("nothing to write: give hessian_path and/or gradient_path")
    comm = MPI.COMM_WORLD if comm is None else comm
    problem = _problem(network, X, y, loss, regularizer, seed, sharded, grid, block_size, comm)
    return _hessnet.save_hessian(problem, comm, os.fspath(hessian_path or ""), os.fspath(gradient_path or ""))


def spectrum(network, X, y, loss="mse", regularizer=None, seed=0, sharded=False, comm=None, grid="auto",
             block_size=128):
    """Every eigenvalue of the exact Hessian, ascending, with its summary (a Spectrum)."""
    comm = MPI.COMM_WORLD if comm is None else comm
    problem = _problem(network, X, y, loss, regularizer, seed, sharded, grid, block_size, comm)
    return Spectrum(*_hessnet.spectrum(problem, comm))
