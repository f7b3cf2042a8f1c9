#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Histogram of Hessian eigenvalues from `hessnet spectrum --out eig.npy`.

    python3 scripts/plot_spectrum.py eig.npy -o spectrum.png [--bins 60] [--linthresh T]

The x axis is symmetric-logarithmic: linear within +-T around zero, logarithmic beyond, so
negative and positive eigenvalues over many orders of magnitude show side by side. T defaults
to max(N eps max|ev|, 1e-6 max|ev|). Eigenvalues with |ev| <= N eps max|ev| count as zero,
as in `hessnet spectrum`. Vertical lines mark the minimum and maximum; the box gives N and
the counts. Needs numpy and matplotlib (Agg backend, no display).
"""
import argparse
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def symlog_edges(ax, values, bins):
    """Bin edges equally wide on the axis' own (symlog) scale, so every bar looks as wide."""
    transform = ax.xaxis.get_transform()
    lo, hi = transform.transform(np.array([values.min(), values.max()]))
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return transform.inverted().transform(np.linspace(lo, hi, bins + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eigenvalues", help=".npy file of eigenvalues (any order)")
    parser.add_argument("-o", "--output", required=True, help="PNG to write")
    parser.add_argument("--bins", type=int, default=60)
    parser.add_argument("--linthresh", type=float, default=None, help="linear range around zero")
    parser.add_argument("--title", default=None)
    args = parser.parse_args()

    try:
        ev = np.asarray(np.load(args.eigenvalues), dtype=float).ravel()
    except (OSError, ValueError) as e:
        sys.exit(f"plot_spectrum: cannot read {args.eigenvalues}: {e}")
    if ev.size == 0 or not np.all(np.isfinite(ev)):
        sys.exit(f"plot_spectrum: {args.eigenvalues} holds no eigenvalues or non-finite ones")
    n = ev.size
    max_abs = float(np.abs(ev).max())
    tolerance = n * np.finfo(float).eps * max_abs
    negative = int((ev < -tolerance).sum())
    positive = int((ev > tolerance).sum())
    zero = n - negative - positive
    min_abs = float(np.abs(ev).min())
    condition = "inf" if zero > 0 or min_abs == 0 else f"{max_abs / min_abs:.3g}"
    linthresh = args.linthresh or max(tolerance, 1e-6 * max_abs, np.finfo(float).tiny)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.set_xscale("symlog", linthresh=linthresh)
    ax.hist(ev, bins=symlog_edges(ax, ev, args.bins), color="tab:blue", edgecolor="white",
            linewidth=0.3)
    ax.set_yscale("log")
    # Decade ticks inside the linear range would print on top of each other: keep 0 alone there.
    ticks = [t for t in ax.get_xticks() if t == 0 or abs(t) >= 10 * linthresh]
    ax.set_xticks(ticks)
    ax.axvspan(-linthresh, linthresh, color="0.9", zorder=0, label=f"linear range |ev| < {linthresh:.2g}")
    for value, name, color in ((ev.min(), "min", "tab:red"), (ev.max(), "max", "tab:green")):
        ax.axvline(value, color=color, linestyle="--", linewidth=1, label=f"{name} {value:.4g}")
    ax.set_xlabel("eigenvalue (symmetric log scale)")
    ax.set_ylabel("count")
    ax.set_title(args.title or f"Hessian spectrum: {args.eigenvalues}", fontsize=10, wrap=True)
    summary = (f"N = {n}\nnegative {negative}\nzero {zero} (|ev| <= {tolerance:.1e})\n"
               f"positive {positive}\ncondition {condition}")
    ax.text(0.02, 0.97, summary, transform=ax.transAxes, va="top", ha="left", fontsize=9,
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85})
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"plot_spectrum: wrote {args.output} (N = {n}, {negative} negative, {zero} zero, {positive} positive)")


if __name__ == "__main__":
    main()
