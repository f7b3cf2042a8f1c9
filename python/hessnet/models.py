# SPDX-License-Identifier: MIT
"""Model files: the CLI's JSON format ("hessnet.model/1", docs/file-formats.md).

``optimizer.save(path)`` or ``hessnet.save(network, path)`` writes one (rank 0, atomically);
``hessnet.load(path)`` reads it back as a Network with parameters, which ``predict``s and can
be trained further (``algorithms.Hessian(hessnet.load(path))``). Files written by
``hessnet train --save`` and ``hessnet init`` load the same way.
"""
import os

from mpi4py import MPI

from . import _hessnet
from .layers import Network, network_from_specs

__all__ = ("save", "load")


def save(network, path, comm=None):
    """Writes ``network`` (which must have parameters) to ``path``. Collective over ``comm``
    (default COMM_WORLD): rank 0 writes, every rank raises the same error if that fails."""
    network = Network.of(network)
    if network.parameters is None:
        raise ValueError("network: no parameters to save; train it first")
    _hessnet.save_model(network._specs(), network.parameters, os.fspath(path),  # pylint: disable=protected-access
                        MPI.COMM_WORLD if comm is None else comm)


def load(path):
    """The Network of a model file, with its parameters (local: each rank reads the file)."""
    specs, parameters = _hessnet.load_model(os.fspath(path))
    return network_from_specs(specs, parameters)
