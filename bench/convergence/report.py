# SPDX-License-Identifier: MIT
"""Markdown tables and convergence plots of the benchmark results.

A result row is a dict: method, status ('ok' or a reason), trace (peers.Trace; losses[i]
after i iterations), test (test mse or accuracy), seconds, note.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# The smallest cross-entropy the clipping to [1e-7, 1 - 1e-7] allows: -log(1 - 1e-7).
CLIPPED_LOSS_FLOOR = -math.log1p(-1e-7)


def loss_after(trace, iterations):
    """Loss after `iterations` iterations; a run that stopped earlier keeps its last value."""
    if not trace.losses:
        return math.nan
    return trace.losses[min(iterations, len(trace.losses) - 1)]


def iterations_to(trace, level):
    """First iteration whose loss is <= level, or '>k' (k = iterations run)."""
    for i, value in enumerate(trace.losses):
        if value <= level:
            return str(i)
    return f">{len(trace.losses) - 1}"


def _fmt(value, digits=4):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 else f"{value:.{digits - 1}e}"


def task_table(task, rows, checkpoints):
    """One Markdown table: loss after each checkpoint, passes, seconds, test metric, notes."""
    metric = "test mse" if task.loss == "mse" else "test acc."
    head = (["method"] + [f"loss@{k}" for k in checkpoints] + [f"iters to {task.target:g}"]
            + ["f", "g (J)", "H", "fact.", "seconds", "provider s", metric, "note"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        trace = row.get("trace")
        if row["status"] != "ok":
            reason = row["status"] + (": " + row["note"] if row.get("note") else "")
            cells = [row["method"]] + [""] * (len(head) - 2) + [reason]
        else:
            counts = trace.counts
            gradients = counts.get("g", "")
            if "J" in counts:
                gradients = f"{counts['J']} J"
            stopped = len(trace.losses) - 1
            cells = ([row["method"]]
                     + [_fmt(loss_after(trace, k)) + ("*" if k > stopped else "") for k in checkpoints]
                     + [iterations_to(trace, task.target), _fmt(counts.get("f")), _fmt(gradients),
                        _fmt(counts.get("H")), _fmt(counts.get("fact")), _fmt(row.get("seconds"), 3),
                        _fmt(trace.provider_seconds, 3),
                        _fmt(row.get("test")), row.get("note", "")])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sklearn_table(task, rows, checkpoints):
    """Median over seeds of scikit-learn runs: train loss at each max_iter, test accuracy."""
    head = (["method"] + [f"loss@{k}" for k in checkpoints]
            + ["iterations run", "seconds", "test acc.", "test acc. per seed"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = ([row["method"]] + [_fmt(row["loss"][k]) for k in checkpoints]
                 + [row["iterations"], _fmt(row["seconds"], 3), _fmt(row["accuracy"]),
                    " ".join(f"{a:.4f}" for a in row["accuracies"])])
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def plot_task(task, rows, path):
    """Training loss against iterations and against seconds (log scales), one PNG."""
    fig, (by_iteration, by_time) = plt.subplots(1, 2, figsize=(12, 4.5))
    for row in rows:
        trace = row.get("trace")
        if row["status"] != "ok" or not trace or not trace.losses:
            continue
        losses = [max(v, 1e-300) for v in trace.losses]
        by_iteration.plot(range(len(losses)), losses, label=row["method"], lw=1.4)
        # From the first iteration on: the start (0 s) has no place on a log axis.
        by_time.plot(trace.seconds[1:], losses[1:], label=row["method"], lw=1.4)
    if task.classification:  # past it every output is clipped and the gradient vanishes
        for axis in (by_iteration, by_time):
            axis.axhline(CLIPPED_LOSS_FLOOR, color="grey", ls=":", lw=1)
    by_iteration.set(yscale="log", xlabel="epoch / iteration", ylabel=f"training {task.loss}",
                     title=f"{task.name}: {task.network}")
    by_time.set(xscale="log", yscale="log", xlabel="seconds (optimizer work, 1 process)",
                ylabel=f"training {task.loss}", title=f"{task.name}: loss against time")
    for axis in (by_iteration, by_time):
        axis.grid(True, which="both", alpha=0.3)
    by_iteration.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
