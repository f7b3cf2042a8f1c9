# SPDX-License-Identifier: MIT
"""Exceptions.

- ``StopTraining``: raise it in a signal to end training cleanly, as in neupy; under MPI,
  raised on any rank it stops every rank at the same epoch, and ``train`` returns normally.
- ``RemoteError`` (a RuntimeError): raised on the other ranks when a signal or a custom loss
  raised an exception on one rank. That rank re-raises its own exception unchanged, so a
  script fails the same way on one process and under ``mpirun``, and no rank is left waiting.
- Bad arguments raise ``ValueError`` or ``TypeError`` naming the argument; errors found by the
  engine (the options, data that does not fit the network, fewer samples than ranks) are
  raised as ``ValueError`` on every rank with the same message.
"""
from ._hessnet import RemoteError, StopTraining

__all__ = ("StopTraining", "RemoteError")
