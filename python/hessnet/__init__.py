# SPDX-License-Identifier: MIT
"""hessnet: neupy's API on hessnet's C++ engine (Newton's method on the exact Hessian).

>>> import numpy as np
>>> from hessnet import algorithms
>>> from hessnet.layers import *
>>> x_train = np.array([[1, 2], [3, 4]]); y_train = np.array([[1], [0]])
>>> network = Input(2) >> Sigmoid(3) >> Sigmoid(1)
>>> optimizer = algorithms.Hessian(network, penalty_const=1, verbose=True)
>>> optimizer.train(x_train, y_train, epochs=100)

The same script runs on one process (``python3 script.py``) and distributed
(``mpirun -np 4 python3 -m mpi4py script.py``): see docs/python.md.
"""
import os

# The engine's OpenMP threads (libgomp) spin after each parallel loop unless told otherwise,
# which takes the cores from OpenBLAS's threads, and OpenBLAS's from the OpenMP threads
# (hessnet::use_passive_thread_waits); each library reads its setting once, when it is
# loaded, so OpenBLAS only takes this when NumPy did not load it first.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "16")

# mpi4py initialises MPI (and loads the MPI library for every module) before the engine.
from mpi4py import MPI  # noqa: F401

from . import _hessnet  # noqa: E402
from . import algorithms, hyperdual, layers, losses, regularizers, signals  # noqa: E402
from .analysis import Spectrum, hessian, save_hessian, spectrum  # noqa: E402
from .errors import RemoteError, StopTraining  # noqa: E402
from .hyperdual import HyperDualArray  # noqa: E402
from .models import load, save  # noqa: E402

__version__ = "0.1.0"
__all__ = ("algorithms", "layers", "losses", "regularizers", "signals", "hyperdual", "hessian", "save_hessian",
           "spectrum", "Spectrum", "load", "save", "StopTraining", "RemoteError", "HyperDualArray")
