# SPDX-License-Identifier: MIT
"""The peers: what a user would otherwise pick to train the same network on the same data.

- `trust_exact`: SciPy `minimize(method="trust-exact")` with the NumPy loss and gradient and
  an exact Hessian from a *provider*, a function theta -> H (N x N). Providers here: the
  hessnet CLI (`hessnet_provider`) and PyTorch autograd (`torch_provider`); an in-process
  binding can be passed the same way. Calls and seconds inside the provider are recorded
  apart from the optimizer's own time.
- `lbfgsb`: SciPy L-BFGS-B with the NumPy gradient.
- `levenberg_marquardt`: MATLAB trainlm's rules in NumPy (mse problems only).
- `sklearn_mlp`: scikit-learn MLPClassifier, lbfgs or adam, with its own initialisation.

Every function returns a `Trace`: the loss at the start and after each iteration, elapsed
seconds at each, and counters of full-data passes.
"""
import contextlib
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import optimize

from . import mlp

MATLAB_TRAINLM = {"mu": 1e-3, "mu_dec": 0.1, "mu_inc": 10.0, "mu_max": 1e10}


@dataclass
class Trace:
    """losses[i], seconds[i]: after i iterations (i = 0 the start). counts: 'f' function
    evaluations, 'g' gradient evaluations, 'J' Jacobians, 'H' Hessians, 'fact' factorizations
    (missing key: not known). provider_seconds: time inside the Hessian provider."""
    name: str
    losses: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    provider_seconds: float = math.nan
    theta: np.ndarray = None
    message: str = ""
    extra: dict = field(default_factory=dict)


class Objective:
    """Loss and gradient of a network on fixed data, counted, with a small cache of values."""

    def __init__(self, network, x, t, loss):
        self.network, self.x, self.t, self.loss = network, x, t, loss
        self.evaluations = 0
        self._values = {}

    def __call__(self, theta):
        value, grad = self.network.loss_and_gradient(theta, self.x, self.t, self.loss)
        self.evaluations += 1
        if len(self._values) > 64:
            self._values.clear()
        self._values[theta.tobytes()] = value
        return value, grad

    def value_at(self, theta):
        """The loss at theta, from the cache when the optimizer evaluated it (not counted)."""
        key = theta.tobytes()
        if key not in self._values:
            self._values[key] = mlp.loss_value(self.loss, self.network.predict(theta, self.x), self.t)
        return self._values[key]


class _Recorder:
    """Callback that appends the loss and the elapsed time after each iteration."""

    def __init__(self, objective, trace, theta0):
        self.objective, self.trace = objective, trace
        self.start = time.perf_counter()
        trace.losses.append(objective.value_at(theta0))
        trace.seconds.append(0.0)

    def __call__(self, theta, *_):
        self.trace.losses.append(self.objective.value_at(np.asarray(theta)))
        self.trace.seconds.append(time.perf_counter() - self.start)


class CountedProvider:
    """Wraps a Hessian provider: number of calls and seconds spent inside."""

    def __init__(self, provider):
        self.provider, self.calls, self.seconds = provider, 0, 0.0

    def __call__(self, theta):
        start = time.perf_counter()
        hessian = self.provider(np.array(theta, dtype=np.float64))
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return hessian


def hessnet_provider(hessnet, network, task, workdir):
    """Exact Hessian from `hessnet hessian`: theta is written to a temporary model JSON each call."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    model = workdir / "current.json"

    def provide(theta):
        mlp.save_model(model, network, theta)
        return hessnet.gradient_and_hessian(model, task.train, task.loss, workdir).hessian
    return provide


def torch_provider(network, x, t, loss, vectorize=True):
    """Exact Hessian from torch.autograd.functional.hessian in float64 (same loss semantics)."""
    import torch

    xs, ts = torch.tensor(x, dtype=torch.float64), torch.tensor(t, dtype=torch.float64)
    act = {"Linear": lambda z: z, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "Relu": torch.relu,
           "Softmax": lambda z: torch.softmax(z, dim=1)}

    def objective(theta):
        a, offset = xs, 0
        for layer in network.layers:
            w = theta[offset:offset + layer.fan_in * layer.units].reshape(layer.fan_in, layer.units)
            offset += layer.fan_in * layer.units
            z = a @ w
            if layer.bias:
                z = z + theta[offset:offset + layer.units]
                offset += layer.units
            a = act[layer.activation](z)
        if loss == "mse":
            return ((a - ts) ** 2).mean()
        p = a.clamp(mlp.CLIP, 1 - mlp.CLIP)
        if loss == "binary_crossentropy":
            return (-(ts * torch.log(p) + (1 - ts) * torch.log(1 - p))).mean()
        return -(ts * torch.log(p)).sum() / ts.shape[0]

    def provide(theta):
        h = torch.autograd.functional.hessian(objective, torch.tensor(theta, dtype=torch.float64),
                                              vectorize=vectorize)
        return h.numpy()
    return provide


@contextlib.contextmanager
def _count_trust_exact_factorizations(counter):
    """Counts the Cholesky factorizations (LAPACK potrf) of SciPy's exact trust-region
    subproblem solver by wrapping the routine it looks up; yields without counting if
    SciPy's internals differ (counter['fact'] stays None)."""
    try:
        from scipy.optimize import _trustregion_exact as module
        original = module.get_lapack_funcs
    except (ImportError, AttributeError):
        yield
        return

    def counting_lookup(names, arrays=()):
        routines = original(names, arrays)

        def wrap(routine):
            def counted(*args, **kwargs):
                counter["fact"] += 1
                return routine(*args, **kwargs)
            return counted
        return [wrap(r) if n == "potrf" else r for n, r in zip(names, routines)]

    counter["fact"] = 0
    module.get_lapack_funcs = counting_lookup
    try:
        yield
    finally:
        module.get_lapack_funcs = original


def trust_exact(name, objective, theta0, iterations, provider):
    """SciPy trust-exact for `iterations` iterations (gtol 1e-12), Hessians from `provider`."""
    trace = Trace(name)
    counted = CountedProvider(provider)
    counter = {"fact": None}
    recorder = _Recorder(objective, trace, theta0)
    with _count_trust_exact_factorizations(counter):
        result = optimize.minimize(objective, theta0, jac=True, hess=lambda th: counted(th),
                                   method="trust-exact", callback=recorder,
                                   options={"maxiter": iterations, "gtol": 1e-12})
    trace.theta, trace.message = result.x, result.message
    trace.counts = {"f": objective.evaluations, "g": objective.evaluations, "H": counted.calls}
    if counter["fact"] is not None:
        trace.counts["fact"] = counter["fact"]
    trace.provider_seconds = counted.seconds
    return trace


def lbfgsb(name, objective, theta0, iterations):
    """SciPy L-BFGS-B for `iterations` iterations (ftol = gtol = 0: stops only at maxiter or
    when the line search can make no more progress)."""
    trace = Trace(name)
    recorder = _Recorder(objective, trace, theta0)
    result = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B", callback=recorder,
                               options={"maxiter": iterations, "maxfun": 50 * iterations,
                                        "ftol": 0.0, "gtol": 0.0})
    trace.theta, trace.message = result.x, str(result.message)
    trace.counts = {"f": objective.evaluations, "g": objective.evaluations, "H": 0, "fact": 0}
    return trace


def levenberg_marquardt(name, network, x, t, theta0, epochs, params=MATLAB_TRAINLM):
    """MATLAB trainlm's Levenberg-Marquardt on the residuals e = outputs - targets.

    Each epoch: J = de/dtheta at theta, then dx from (J^T J + mu I) dx = J^T e; the trial
    theta - dx is kept if it lowers the sum of squared errors (mu <- mu * mu_dec, at least
    1e-20), else mu <- mu * mu_inc and the solve is retried within the epoch; training stops
    when mu exceeds mu_max. Defaults as documented for trainlm: mu 0.001, mu_dec 0.1,
    mu_inc 10, mu_max 1e10. trainlm's other stops (goal, min_grad, validation) are off so
    every method runs the same number of epochs. Loss recorded: mse = SSE / e.size.
    """
    trace = Trace(name)
    mu = params["mu"]
    theta = np.array(theta0, dtype=np.float64)
    start = time.perf_counter()
    e, jacobian = network.residual_jacobian(theta, x, t)
    counts = {"f": 1, "J": 1, "H": 0, "fact": 0}
    sse = float(e @ e)
    trace.losses.append(sse / e.size)
    trace.seconds.append(0.0)
    for _ in range(epochs):
        jj, je = jacobian.T @ jacobian, jacobian.T @ e
        accepted = False
        while mu <= params["mu_max"]:
            counts["fact"] += 1
            try:
                factor = np.linalg.cholesky(jj + mu * np.eye(len(theta)))
                step = np.linalg.solve(factor.T, np.linalg.solve(factor, je))
            except np.linalg.LinAlgError:
                step = np.full_like(theta, np.nan)
            trial = theta - step
            counts["f"] += 1
            e_trial = (network.predict(trial, x) - t).ravel()
            sse_trial = float(e_trial @ e_trial)
            if np.isfinite(sse_trial) and sse_trial < sse:
                theta, sse, accepted = trial, sse_trial, True
                mu = max(mu * params["mu_dec"], 1e-20)
                break
            mu *= params["mu_inc"]
        if not accepted:
            trace.message = f"mu exceeded mu_max = {params['mu_max']:g} after {len(trace.losses) - 1} epochs"
            break
        trace.losses.append(sse / e.size)
        trace.seconds.append(time.perf_counter() - start)
        e, jacobian = network.residual_jacobian(theta, x, t)
        counts["J"] += 1
    trace.theta, trace.counts = theta, counts
    trace.extra["final_mu"] = mu
    return trace


def sklearn_mlp(task, x, t, x_test, t_test, hidden, activation, solver, iterations, seed):
    """scikit-learn MLPClassifier on a classification task, alpha = 0 (no L2 term, so it
    minimizes the same cross-entropy as the others), other settings at their defaults.

    Returns (train loss in hessnet's definition, test accuracy, iterations run, seconds).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    labels = t.argmax(axis=1) if t.shape[1] > 1 else t[:, 0].astype(np.int64)
    model = MLPClassifier(hidden_layer_sizes=(hidden,), activation=activation, solver=solver, alpha=0.0,
                          max_iter=iterations, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, labels)
    seconds = time.perf_counter() - start

    def outputs(inputs):
        proba = model.predict_proba(inputs)
        return proba if t.shape[1] > 1 else proba[:, 1:2]
    train_loss = mlp.loss_value(task.loss, outputs(x), t)
    return train_loss, mlp.accuracy(outputs(x_test), t_test), model.n_iter_, seconds
