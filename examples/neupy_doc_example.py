# SPDX-License-Identifier: MIT
"""neupy's Hessian example with one import line changed (from neupy -> from hessnet).

    PYTHONPATH=build/python python3 examples/neupy_doc_example.py
    mpirun -np 2 python3 -m mpi4py examples/neupy_doc_example.py
"""
import numpy as np

from hessnet import algorithms
from hessnet.layers import *  # noqa: F401,F403

x_train = np.array([[1, 2], [3, 4]])
y_train = np.array([[1], [0]])

network = Input(2) >> Sigmoid(3) >> Sigmoid(1)  # noqa: F405
optimizer = algorithms.Hessian(network, penalty_const=1, verbose=True, show_epoch=20)
optimizer.train(x_train, y_train, epochs=100)

print(optimizer.predict(x_train))
print("train errors: first {:.6f}, last {:.6f}".format(optimizer.errors.train[0], optimizer.errors.train[-1]))
print("last_epoch", optimizer.last_epoch, "n_updates_made", optimizer.n_updates_made)
