#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Training curves from a `hessnet train --log LOG.csv` file.

    python3 scripts/plot_training.py LOG.csv -o curves.png [--title TEXT]

Two panels over the epochs: the training and validation loss (log scale), and the damping
lambda of each Newton step with the number of escalations it took. The validation column may
be empty (no --test). Columns read: epoch, train_loss, valid_loss, accuracy, lambda,
escalations and, when written (--log-curvature), min_eigenvalue, drawn on the right axis of
the second panel; others are ignored. Needs matplotlib; draws with the Agg backend (no display).
"""
import argparse
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402


def number(text):
    """A float, or NaN for an empty or missing cell."""
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def read_log(path):
    """Columns of the log as lists of floats, keyed by header name."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot_training: {path} has no epochs")
    missing = {"epoch", "train_loss"} - set(rows[0])
    if missing:
        sys.exit(f"plot_training: {path} lacks column(s) {', '.join(sorted(missing))}")
    return {name: [number(r.get(name)) for r in rows] for name in rows[0]}


def finite(xs, ys):
    """The (x, y) pairs whose y is finite."""
    pairs = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def scale_for(values):
    """log when every finite value is positive, symlog otherwise (losses and lambda may be 0)."""
    values = [v for v in values if math.isfinite(v)]
    return "log" if values and min(values) > 0 else "symlog"


def label_log_axis(axis, values):
    """Ticks at 1, 2, 5 x 10^k labelled in plain numbers when a log axis spans few decades."""
    values = [v for v in values if math.isfinite(v) and v > 0]
    if values and math.log10(max(values) / min(values)) < 4:
        axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(ticker.NullFormatter())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="CSV log written by hessnet train --log")
    parser.add_argument("-o", "--output", required=True, help="PNG to write")
    parser.add_argument("--title", default=None, help="figure title (default: the log's name)")
    args = parser.parse_args()

    log = read_log(args.log)
    epochs = log["epoch"]
    fig, (ax_loss, ax_lambda) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True,
                                             gridspec_kw={"height_ratios": [3, 2]})

    losses = []
    for column, label, style in (("train_loss", "training", "o-"), ("valid_loss", "validation", "s--")):
        x, y = finite(epochs, log.get(column, []))
        if y:
            ax_loss.plot(x, y, style, markersize=3, label=f"{label} (last {y[-1]:.4g})")
            losses += y
    ax_loss.set_yscale(scale_for(losses))
    if scale_for(losses) == "log":
        label_log_axis(ax_loss.yaxis, losses)
    ax_loss.set_ylabel("loss")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend()
    x, accuracy = finite(epochs, log.get("accuracy", []))
    title = args.title or args.log
    if accuracy:
        title += f" (final accuracy {accuracy[-1]:.3g})"
    ax_loss.set_title(title, fontsize=10, wrap=True)

    x, lam = finite(epochs, log.get("lambda", []))
    if lam:
        ax_lambda.plot(x, lam, "o-", color="tab:red", markersize=3, label="lambda")
        ax_lambda.set_yscale(scale_for(lam))
        ax_lambda.margins(y=0.2)
        xe, escalations = finite(epochs, log.get("escalations", []))
        for xi, yi, e in zip(x, lam, escalations if escalations else [0] * len(x)):
            if e > 0:
                ax_lambda.annotate(f"+{int(e)}", (xi, yi), textcoords="offset points", xytext=(0, 6),
                                   ha="center", fontsize=7, color="tab:red")
    else:
        ax_lambda.text(0.5, 0.5, "no lambda column", transform=ax_lambda.transAxes, ha="center")
    x, eig = finite(epochs, log.get("min_eigenvalue", []))
    if eig:  # H's smallest eigenvalue, often negative: symlog around the smallest magnitude seen
        ax_eig = ax_lambda.twinx()
        ax_eig.plot(x, eig, "^:", color="tab:purple", markersize=3)
        smallest = min((abs(v) for v in eig if v != 0), default=1.0)
        ax_eig.set_yscale("symlog", linthresh=max(smallest, 1e-12))
        ax_eig.set_ylabel("smallest eigenvalue of H", color="tab:purple")
        ax_eig.axhline(0, color="tab:purple", linewidth=0.5, alpha=0.5)
    ax_lambda.set_ylabel("damping lambda\n(+k: escalations)")
    ax_lambda.set_xlabel("epoch")
    ax_lambda.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax_lambda.grid(True, which="both", alpha=0.3)

    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"plot_training: wrote {args.output} ({len(epochs)} epochs)")


if __name__ == "__main__":
    main()
