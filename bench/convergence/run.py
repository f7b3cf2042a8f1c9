#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Convergence benchmark: hessnet's optimizers and their peers from the same initial model.

    /usr/bin/python3 bench/convergence/run.py [--tasks fit1d,diabetes,digits,breast-cancer]
        [--epochs 100] [--fit1d-epochs 300] [--quick] [--hessnet build/hessnet]
        [--out report.md] [--img-dir docs/img] [--no-torch] [--seeds 5]
    /usr/bin/python3 bench/convergence/run.py --check     # gradients against `hessnet hessian`

Per task: `hessnet init --seed` writes the one starting model; every hessnet optimizer in
HESSNET_OPTIMIZERS (run as `mpirun -np 1 hessnet train`, skipped when hessnet rejects it)
and every peer starts there. Prints Markdown tables (also written to --out) and draws
docs/img/convergence-<task>.png. One process, one BLAS thread everywhere (--threads).
"""
import argparse
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# hessnet's optimizers, in one place: label -> `hessnet train` options. Names that hessnet
# does not (yet) accept are reported as "not available".
HESSNET_OPTIMIZERS = {
    "hessnet hessian (penalty 1)": ["--optimizer", "hessian", "--penalty", "1"],
    "hessnet hessian --adaptive": ["--optimizer", "hessian", "--penalty", "1", "--adaptive"],
    "hessnet trust-region": ["--optimizer", "trust-region"],
    "hessnet levenberg-marquardt (neupy)": ["--optimizer", "levenberg-marquardt"],
    "hessnet levenberg-marquardt (trainlm)": ["--optimizer", "levenberg-marquardt", "--lm-retry", "--mu", "0.001",
                                              "--mu-update-factor", "10"],
}
SKLEARN_ACTIVATION = {"Sigmoid": "logistic", "Tanh": "tanh", "Relu": "relu", "Linear": "identity"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="fit1d,diabetes,digits,breast-cancer")
    parser.add_argument("--epochs", type=int, default=100, help="epochs = iterations of every method")
    parser.add_argument("--fit1d-epochs", type=int, default=300, help="epochs of the function fit")
    parser.add_argument("--quick", action="store_true", help="5 epochs, 1 sklearn seed: a smoke test")
    parser.add_argument("--hessnet", default=str(ROOT / "build/hessnet"))
    parser.add_argument("--out", help="also write the Markdown report here")
    parser.add_argument("--img-dir", default=str(ROOT / "docs/img"))
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--no-torch", action="store_true", help="skip trust-exact with the PyTorch Hessian")
    parser.add_argument("--torch-max-params", type=int, default=1000,
                        help="skip the PyTorch Hessian above this many parameters (digits, N = 2410: "
                             "about 18 s and 3.8 GB per Hessian on this machine)")
    parser.add_argument("--seeds", type=int, default=5, help="scikit-learn seeds (median reported)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS / PyTorch threads")
    parser.add_argument("--check", action="store_true", help="check gradients against hessnet and exit")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.fit1d_epochs, args.seeds = 5, 5, 1
    return args


def set_threads(threads):
    """One BLAS thread per process unless told otherwise (before NumPy is imported)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)


def _shown(path):
    """A path relative to the checkout when it lies inside it."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def checkpoints_for(epochs):
    return [k for k in (10, 30, 100) if k < epochs] + [epochs]


def test_metric(task, network, theta, x, t, mlp):
    outputs = network.predict(theta, x)
    return mlp.loss_value("mse", outputs, t) if task.loss == "mse" else mlp.accuracy(outputs, t)


def hessnet_trace(label, run, network, x, t, task, peers, mlp):
    """A Trace from `hessnet train --log`: train_loss[i] is the loss before update i, so the
    loss after the last update comes from the saved model."""
    log = run.log
    epochs = len(log["epoch"])
    _, theta = mlp.load_model(run.model)
    trace = peers.Trace(label, theta=theta)
    trace.losses = list(log["train_loss"]) + [mlp.loss_value(task.loss, network.predict(theta, x), t)]
    elapsed = 0.0
    trace.seconds = [0.0]
    for s in log.get("seconds_total", [math.nan] * epochs):
        elapsed += s
        trace.seconds.append(elapsed)
    escalations = int(sum(v for v in log.get("escalations", []) if not math.isnan(v)))
    adaptive = "--adaptive" in HESSNET_OPTIMIZERS.get(label, [])
    counts = {"g": epochs, "H": epochs, "fact": epochs + escalations,
              "f": f"{2 * epochs}-{2 * epochs + escalations}" if adaptive and escalations else
              (2 * epochs if adaptive else epochs)}
    for key, names in (("f", ("function_evaluations", "evaluations")), ("H", ("hessians", "assemblies")),
                       ("fact", ("factorizations",))):
        for name in names:
            if name in log:
                counts[key] = int(sum(v for v in log[name] if not math.isnan(v)))
    if "evaluations" in log:  # trial points besides the pass that every update makes
        counts["f"] += epochs
    trace.counts = counts
    trace.extra["escalations"] = escalations
    lambdas = [v for v in log.get("lambda", []) if not math.isnan(v)]
    if lambdas:
        trace.extra["lambda"] = (min(lambdas), max(lambdas), lambdas[-1])
    return trace


def run_task(task, epochs, args, hessnet, workdir, modules):
    mlp, peers, tasks = modules
    init = hessnet.init(task.network, task.seed, workdir / "init.json")
    network, theta0 = mlp.load_model(init)
    x, t = tasks.load_csv(task.train, network.n_in, network.n_out)
    x_test, t_test = tasks.load_csv(task.test, network.n_in, network.n_out)
    rows = []

    def add(trace, seconds, note=""):
        rows.append({"method": trace.name, "status": "ok", "trace": trace, "seconds": seconds, "note": note,
                     "test": test_metric(task, network, trace.theta, x_test, t_test, mlp)})
        print(f"  {trace.name}: loss {trace.losses[-1]:.6g} after {len(trace.losses) - 1} iterations, "
              f"{seconds:.2f} s", file=sys.stderr, flush=True)

    for label, options in HESSNET_OPTIMIZERS.items():
        run = hessnet.train(init, task, epochs, options, workdir / re.sub(r"[^a-z0-9]+", "-", label.lower()))
        if run.status != "ok":
            rows.append({"method": label, "status": run.status, "note": run.message})
            print(f"  {label}: {run.status}: {run.message}", file=sys.stderr)
            continue
        trace = hessnet_trace(label, run, network, x, t, task, peers, mlp)
        note = f"process {run.wall_seconds:.2f} s"
        if trace.extra.get("escalations"):
            note += f"; {trace.extra['escalations']} escalations"
        if "lambda" in trace.extra:
            note += "; lambda %.3g..%.3g, last %.3g" % trace.extra["lambda"]
        add(trace, trace.seconds[-1], note)

    providers = [("hessnet CLI", peers.hessnet_provider(hessnet, network, task, workdir / "provider"))]
    if not args.no_torch and network.n_params <= args.torch_max_params:
        providers.append(("PyTorch", peers.torch_provider(network, x, t, task.loss)))
    for source, provider in providers:
        objective = peers.Objective(network, x, t, task.loss)
        trace = peers.trust_exact(f"scipy trust-exact (H: {source})", objective, theta0, epochs, provider)
        add(trace, trace.seconds[-1], _stop_note(trace, epochs))
    if not args.no_torch and network.n_params > args.torch_max_params:
        rows.append({"method": "scipy trust-exact (H: PyTorch)", "status": "skipped",
                     "note": f"N = {network.n_params} > --torch-max-params {args.torch_max_params}"})

    trace = peers.lbfgsb("scipy L-BFGS-B", peers.Objective(network, x, t, task.loss), theta0, epochs)
    add(trace, trace.seconds[-1], _stop_note(trace, epochs))
    if task.loss == "mse":
        trace = peers.levenberg_marquardt("trainlm-style LM (NumPy)", network, x, t, theta0, epochs)
        add(trace, trace.seconds[-1], "; ".join(filter(None, [_stop_note(trace, epochs),
                                                              "mu at end %.3g" % trace.extra["final_mu"]])))

    sk_rows = []
    if task.classification:
        hidden = network.layers[0]
        for solver in ("lbfgs", "adam"):
            sk_rows.append(sklearn_row(task, x, t, x_test, t_test, hidden, solver, epochs, args.seeds, peers))
    return rows, sk_rows


def _stop_note(trace, epochs):
    done = len(trace.losses) - 1
    return f"stopped after {done}: {trace.message}" if done < epochs else ""


def sklearn_row(task, x, t, x_test, t_test, hidden, solver, epochs, seeds, peers):
    """Medians over seeds 1..seeds; losses at max_iter = each checkpoint (separate fits)."""
    import numpy as np

    losses, accuracies, iterations, seconds = {}, [], [], []
    for k in checkpoints_for(epochs):
        runs = [peers.sklearn_mlp(task, x, t, x_test, t_test, hidden.units, SKLEARN_ACTIVATION[hidden.activation],
                                  solver, k, seed) for seed in range(1, seeds + 1)]
        losses[k] = float(np.median([r[0] for r in runs]))
        if k == epochs:
            accuracies = [r[1] for r in runs]
            iterations = [r[2] for r in runs]
            seconds = [r[3] for r in runs]
    label = f"sklearn MLPClassifier {solver} (alpha 0)"
    print(f"  {label}: median test accuracy {np.median(accuracies):.4f}", file=sys.stderr, flush=True)
    return {"method": label, "loss": losses, "accuracy": float(np.median(accuracies)), "accuracies": accuracies,
            "iterations": f"{min(iterations)}-{max(iterations)}", "seconds": float(np.median(seconds))}


def check(args, hessnet, modules, names):
    """Gradients of mlp.py against `hessnet hessian --grad` at the initial model and at a
    perturbed one (written by mlp.save_model); for mse also 2 J^T e / size; PyTorch's
    Hessian against hessnet's at the initial model."""
    import numpy as np
    mlp, peers, tasks = modules
    ok = True
    print("| task | N | point | rel. error of gradient (2-norm) | max abs diff / max abs | loss rel. diff | check |")
    print("|---|---|---|---|---|---|---|")
    extra = []
    with tempfile.TemporaryDirectory(prefix="hessnet-check-") as tmp:
        for name in names:
            task = tasks.TASKS[name]
            work = Path(tmp) / name
            work.mkdir()
            network, theta0 = mlp.load_model(hessnet.init(task.network, task.seed, work / "init.json"))
            x, t = tasks.load_csv(task.train, network.n_in, network.n_out)
            rng = np.random.default_rng(7)
            for point, theta in (("init", theta0), ("perturbed", theta0 + 0.3 * rng.standard_normal(theta0.size))):
                model = work / f"{point}.json"
                mlp.save_model(model, network, theta)
                printed, reference, hessian = hessnet.gradient_and_hessian(model, task.train, task.loss, work,
                                                                           hessian=(point == "init"))
                value, grad = network.loss_and_gradient(theta, x, t, task.loss)
                rel = np.linalg.norm(grad - reference) / np.linalg.norm(reference)
                worst = np.max(np.abs(grad - reference)) / np.max(np.abs(reference))
                loss_rel = abs(value - printed) / abs(printed)
                passed = rel <= 1e-12 and loss_rel <= 1e-9
                ok &= passed
                print(f"| {name} | {network.n_params} | {point} | {rel:.2e} | {worst:.2e} | {loss_rel:.1e} | "
                      f"{'pass' if passed else 'FAIL'} |")
                if task.loss == "mse":
                    e, jacobian = network.residual_jacobian(theta, x, t)
                    rel_j = np.linalg.norm(2 * jacobian.T @ e / e.size - reference) / np.linalg.norm(reference)
                    ok &= rel_j <= 1e-12
                    extra.append(f"{name} ({point}): 2 J^T e / size against hessnet's gradient: {rel_j:.2e}")
                if hessian is not None and not args.no_torch and network.n_params <= args.torch_max_params:
                    torch_h = peers.torch_provider(network, x, t, task.loss)(theta)
                    rel_h = np.linalg.norm(torch_h - hessian) / np.linalg.norm(hessian)
                    ok &= rel_h <= 1e-10
                    extra.append(f"{name} ({point}): PyTorch Hessian against hessnet's: {rel_h:.2e} (Frobenius)")
    for line in extra:
        print(f"- {line}")
    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return ok


def main():
    args = parse_args()
    set_threads(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from convergence import hessnet_cli, mlp, peers, report, tasks  # noqa: E402 (after the thread settings)
    if not args.no_torch:
        import torch
        torch.set_num_threads(args.threads)
    modules = (mlp, peers, tasks)
    names = [n.strip() for n in args.tasks.split(",") if n.strip()]
    unknown = [n for n in names if n not in tasks.TASKS]
    if unknown:
        sys.exit(f"unknown task(s) {unknown}; known: {', '.join(tasks.TASKS)}")
    missing = [str(p) for n in names for p in (tasks.TASKS[n].train, tasks.TASKS[n].test) if not p.exists()]
    if missing:
        sys.exit(f"missing data {missing}: run /usr/bin/python3 scripts/make_convergence_data.py")
    hessnet = hessnet_cli.Hessnet(args.hessnet, env=dict(os.environ))
    if args.check:
        sys.exit(0 if check(args, hessnet, modules, names) else 1)

    out = ["# Convergence benchmark\n",
           f"hessnet `{_shown(args.hessnet)}`; one process, {args.threads} BLAS thread(s); epochs {args.epochs} "
           f"(fit1d {args.fit1d_epochs}); every method starts from `hessnet init --seed 1`.\n"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hessnet-convergence-") as tmp:
        for name in names:
            task = tasks.TASKS[name]
            epochs = args.fit1d_epochs if name == "fit1d" else args.epochs
            print(f"{name}: {task.network}, {task.loss}, {epochs} epochs", file=sys.stderr, flush=True)
            work = Path(tmp) / name
            work.mkdir()
            rows, sk_rows = run_task(task, epochs, args, hessnet, work, modules)
            checkpoints = checkpoints_for(epochs)
            out.append(f"## {name}: `{task.network}`, {task.loss}, {epochs} epochs\n")
            out.append(report.task_table(task, rows, checkpoints) + "\n")
            if sk_rows:
                out.append(f"scikit-learn (its own initialisation; medians of seeds 1..{args.seeds}):\n")
                out.append(report.sklearn_table(task, sk_rows, checkpoints) + "\n")
            if not args.no_plots:
                image = Path(args.img_dir) / f"convergence-{name}.png"
                image.parent.mkdir(parents=True, exist_ok=True)
                report.plot_task(task, rows, image)
                out.append(f"![{name}]({os.path.relpath(image, Path(args.out).parent if args.out else Path.cwd())})\n")
    out.append(NOTES)
    out.append(f"Total benchmark time {time.perf_counter() - started:.0f} s.\n")
    text = "\n".join(out)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


NOTES = """Columns: loss@k = training loss after k epochs (hessnet) or iterations (peers); a `*`
marks a run that stopped earlier (its last value). f = full-data function evaluations,
g = gradient evaluations (J = Jacobians of the residuals), H = exact Hessians, fact. =
Cholesky factorizations, seconds = time inside the iterations (hessnet: sum of the log's
seconds_total, MPI start-up and data loading excluded, the process time is in the note;
peers: wall time of the optimizer call), provider s = of that, time inside the Hessian provider.
hessnet's f and fact. are derived from its log: one assembly of g and H per epoch, one
factorization plus one per escalation (with --adaptive one trial evaluation per accepted or
rejected step, so f lies in the range shown); on one rank a second failed factorization in
an epoch also re-assembles H (not logged, not counted). iters to X: the first epoch/iteration
whose training loss is <= X. With cross-entropy the outputs are clipped to [1e-7, 1 - 1e-7], so
the training loss cannot go below -log(1 - 1e-7) = 1.0000000e-07, where every output is clipped
and the gradient is zero (L-BFGS-B then stops: projected gradient <= pgtol).
"""


if __name__ == "__main__":
    main()
