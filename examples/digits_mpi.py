# SPDX-License-Identifier: MIT
"""Handwritten digits (the bundled UCI set) trained from Python, distributed over MPI ranks.

    mpirun -np 4 python3 -m mpi4py examples/digits_mpi.py [--sharded] [--epochs 20]

Every rank runs this same script. By default each rank reads the whole CSV and the library
keeps its own block of rows (what a neupy script does unchanged); with --sharded each rank
passes only its block (np.array_split), as a script that reads its own part of a large data
set would. `-m mpi4py` makes an exception on any one rank abort the whole job instead of
leaving the other ranks waiting.
"""
import argparse
from pathlib import Path

import numpy as np
from mpi4py import MPI

import hessnet
from hessnet import algorithms
from hessnet.layers import Input, Sigmoid, Softmax

parser = argparse.ArgumentParser()
parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / "data"))
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--hidden", type=int, default=32)
parser.add_argument("--sharded", action="store_true")
parser.add_argument("--save", help="model file to write (the CLI's JSON)")
args = parser.parse_args()

comm = MPI.COMM_WORLD


def load(name):
    table = np.loadtxt(Path(args.data) / name, delimiter=",", skiprows=1)
    return table[:, :64] / 16.0, np.eye(10)[table[:, 64].astype(int)]


x_train, y_train = load("digits-train.csv")
x_test, y_test = load("digits-test.csv")
if args.sharded:
    x_train, y_train = (np.array_split(a, comm.size)[comm.rank] for a in (x_train, y_train))
    x_test, y_test = (np.array_split(a, comm.size)[comm.rank] for a in (x_test, y_test))


def stop_when_fitted(optimizer):
    if optimizer.errors.valid and optimizer.errors.valid[-1] < 0.05:
        raise hessnet.StopTraining("test loss below 0.05")


optimizer = algorithms.Hessian(Input(64) >> Sigmoid(args.hidden) >> Softmax(10), penalty_const=0.1,
                               loss="categorical_crossentropy", seed=1, verbose=True, show_epoch=5,
                               signals=stop_when_fitted)
optimizer.train(x_train, y_train, x_test, y_test, epochs=args.epochs, sharded=args.sharded)

# predict is local: each rank scores its own block of the test rows, one reduction adds them up.
if not args.sharded:
    x_test, y_test = (np.array_split(a, comm.size)[comm.rank] for a in (x_test, y_test))
correct = comm.allreduce(int(np.sum(optimizer.predict(x_test).argmax(1) == y_test.argmax(1))))
total = comm.allreduce(len(x_test))
if comm.rank == 0:
    print("ranks {}: test accuracy {:.4f} ({} of {}) after {} epochs".format(
        comm.size, correct / total, correct, total, optimizer.last_epoch))
if args.save:
    optimizer.save(args.save)
