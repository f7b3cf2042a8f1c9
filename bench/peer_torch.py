#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One Newton epoch of the B1/B2 benchmark cases in PyTorch, for a side-by-side timing.

The same network (64-h-10, sigmoid hidden, softmax output), data (the bundled digits,
inputs / 16), loss (categorical cross-entropy with clipping) and damping (lambda = 1) as
hessnet's bench_epoch; the Hessian by torch.autograd.functional.hessian, the step by
torch.linalg.solve. Prints one line: case, N, seconds, mode.
Usage: peer_torch.py B1|B2 [--vectorize] [--threads T] [--data-dir data]
"""
import argparse
import time

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["B1", "B2"])
    parser.add_argument("--vectorize", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", default="data")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    table = np.loadtxt(f"{args.data_dir}/digits.csv", delimiter=",", skiprows=1)
    x = torch.tensor(table[:, :64] / 16.0, dtype=torch.float64)
    t = torch.nn.functional.one_hot(torch.tensor(table[:, 64], dtype=torch.int64), 10).to(torch.float64)
    hidden = 32 if args.case == "B1" else 100
    shapes = [(64, hidden), (hidden,), (hidden, 10), (10,)]
    sizes = [int(np.prod(s)) for s in shapes]
    generator = torch.Generator().manual_seed(1)
    theta = torch.cat([torch.randn(64 * hidden, generator=generator, dtype=torch.float64) * (2 / 64) ** 0.5,
                       torch.zeros(hidden, dtype=torch.float64),
                       torch.randn(hidden * 10, generator=generator, dtype=torch.float64) * (2 / hidden) ** 0.5,
                       torch.zeros(10, dtype=torch.float64)])

    def loss(flat):
        w1, b1, w2, b2 = (p.reshape(s) for p, s in zip(torch.split(flat, sizes), shapes))
        out = torch.softmax(torch.sigmoid(x @ w1 + b1) @ w2 + b2, dim=1)
        return -(t * torch.log(out.clamp(1e-7, 1 - 1e-7))).sum(dim=1).mean()

    start = time.perf_counter()
    g = torch.autograd.grad(loss(theta.requires_grad_()), theta)[0]
    h = torch.autograd.functional.hessian(loss, theta.detach(), vectorize=args.vectorize)
    step = torch.linalg.solve(h + torch.eye(h.shape[0], dtype=torch.float64), g)
    _ = theta.detach() - step
    seconds = time.perf_counter() - start
    mode = "vectorize=True" if args.vectorize else "vectorize=False"
    print(f"{args.case} N={theta.numel()} torch_seconds={seconds:.3f} {mode} threads={args.threads}")


if __name__ == "__main__":
    main()
