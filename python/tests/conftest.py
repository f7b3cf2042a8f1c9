# SPDX-License-Identifier: MIT
"""Shared by the pytest files: the data sets, the world communicator, a directory every rank
sees, and a clean environment for starting other MPI jobs from a test.

CTest runs every file under mpiexec with 1 and 2 ranks (tests/CMakeLists.txt); each rank runs
the same tests in the same order, so tests may call collectives.
"""
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

ROOT = Path(os.environ.get("PROJECT_ROOT", Path(__file__).resolve().parents[2]))
WORLD = MPI.COMM_WORLD


def digits(path="digits-train.csv", rows=None):
    """(X, Y one-hot) of the bundled digits, scaled to [0, 1]."""
    table = np.loadtxt(ROOT / "data" / path, delimiter=",", skiprows=1, max_rows=rows)
    x = table[:, :64] / 16.0
    y = np.eye(10)[table[:, 64].astype(int)]
    return x, y


@pytest.fixture
def xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    return x, y


@pytest.fixture
def shared_dir():
    """A directory made by rank 0, the same path on every rank, removed afterwards."""
    path = WORLD.bcast(tempfile.mkdtemp(prefix="hessnet-py-") if WORLD.rank == 0 else None)
    yield Path(path)
    WORLD.Barrier()
    if WORLD.rank == 0:
        shutil.rmtree(path, ignore_errors=True)


def child_environment():
    """This environment without what mpiexec gave this process, so that a command started from
    a test is an MPI job of its own (a singleton, or its own mpirun)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_", "OPAL_", "PRTE_"))}
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1",
               OPENBLAS_NUM_THREADS="1")
    return env


def hessnet_program():
    """The CLI CTest passes in HESSNET, or the build tree's."""
    return os.environ.get("HESSNET", str(ROOT / "build" / "hessnet"))
