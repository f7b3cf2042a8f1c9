# SPDX-License-Identifier: MIT
"""An exception on one of two ranks ends both within seconds: raised in a signal (the library
agrees on it), or anywhere in the script under `python3 -m mpi4py` (which aborts the job)."""
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import WORLD, child_environment

SCRIPT = textwrap.dedent("""
    import numpy as np
    from mpi4py import MPI
    from hessnet import algorithms
    from hessnet.layers import Input, Sigmoid
    rank = MPI.COMM_WORLD.rank
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]]); y = np.array([[0], [1], [1], [0.0]])
    def signal(optimizer):
        if WHERE == "signal" and rank == 1 and optimizer.last_epoch == 2:
            raise ValueError("bad value on rank 1")
    optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), signals=signal)
    if WHERE == "script" and rank == 1:
        raise ValueError("bad value on rank 1")
    optimizer.train(x, y, epochs=1000000)  # rank 0 would wait here forever for rank 1
""")


def run_two_ranks(directory, where, module_flag):
    path = directory / "script.py"
    path.write_text("WHERE = {!r}\n".format(where) + SCRIPT)
    command = ["mpirun", "-np", "2", sys.executable] + (["-m", "mpi4py"] if module_flag else []) + [str(path)]
    start = time.monotonic()
    done = subprocess.run(command, env=child_environment(), capture_output=True, text=True, timeout=60)
    return done, time.monotonic() - start


@pytest.mark.parametrize("where, module_flag", [("signal", False), ("signal", True), ("script", True)])
def test_an_exception_on_one_of_two_ranks_ends_both_within_seconds(shared_dir, where, module_flag):
    if WORLD.rank == 0:  # one job of its own, started once
        done, seconds = run_two_ranks(shared_dir, where, module_flag)
        assert done.returncode != 0
        assert "ValueError: bad value on rank 1" in done.stderr, done.stderr
        assert seconds < 20, seconds
        if where == "signal" and not module_flag:  # the other rank got RemoteError from the library
            assert "hessnet.RemoteError" in done.stderr or "RemoteError: a training callback failed" in done.stderr
    WORLD.Barrier()
