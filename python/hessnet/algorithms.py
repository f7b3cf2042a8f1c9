# SPDX-License-Identifier: MIT
"""Optimizers with neupy's names, options and defaults, trained by hessnet's C++ engine.

>>> import numpy as np
>>> from hessnet import algorithms
>>> from hessnet.layers import Input, Sigmoid
>>> optimizer = algorithms.Hessian(Input(2) >> Sigmoid(3) >> Sigmoid(1), penalty_const=1)
>>> optimizer.train(np.array([[1, 2], [3, 4]]), np.array([[1], [0]]), epochs=10)

Every optimizer takes the network (layers joined with ``>>``, a list of layers, or a
``Network`` with parameters such as ``hessnet.load`` returns), ``comm`` (an mpi4py
communicator, default ``MPI.COMM_WORLD``) and its keyword options. The options every one has:

- ``loss`` ('mse'): a name or a function ``f(expected, predicted)`` (see ``hessnet.losses``);
- ``regularizer`` (None): ``hessnet.regularizers.l1/l2/maxnorm(...)``;
- ``show_epoch`` (1), ``shuffle_data`` (False), ``signals`` (None, see ``hessnet.signals``),
  ``verbose`` (False): as in neupy;
- ``seed`` (0): the HeNormal initialisation of a network without parameters, and shuffling.

The table ``ALGORITHMS`` lists each algorithm's own options and defaults. An algorithm whose
C++ optimizer this build does not have is not exported (``available()`` lists those that are).
"""
import numbers
import os
import time
import weakref

import numpy as np

from mpi4py import MPI

from . import _hessnet
from . import signals as _signals
from ._data import as_matrix, check_same_rows
from .layers import Network
from .losses import engine_loss
from .regularizers import engine_regularizer, l1, l2, maxnorm  # noqa: F401 (neupy has them here)

COMMON_OPTIONS = {"loss": "mse", "regularizer": None, "show_epoch": 1, "shuffle_data": False, "seed": 0,
                  "signals": None, "verbose": False}
# Stop rules, for the algorithms whose C++ options have them (None: the C++ default).
STOP_RULES = {"goal": None, "min_grad": None, "max_fail": None, "time_limit": None}

# The table: each algorithm's own options with their defaults, and its description. Adding an
# optimizer is one entry here and one in python/src/trainer.cpp (its C++ options fields).
ALGORITHMS = {
    "Hessian": (
        {"penalty_const": 1.0, "adaptive": False, "log_curvature": False, "grid": "auto", "block_size": 128},
        """Newton's method on the exact Hessian (neupy's ``algorithms.Hessian``).

        Every epoch: theta <- theta - (H + penalty_const I)^-1 g, with g and H the exact gradient
        and Hessian of loss + regularizer over the whole training set, H assembled and factored
        distributed (ScaLAPACK) over the ranks of ``comm``. When H + penalty_const I is not
        positive definite the penalty is raised for that update, to twice the shift that the
        failed factorization proves necessary plus penalty_const (``verbose`` says so).
        There is no ``step`` option (a TypeError, as in neupy).

        Options: penalty_const (1), adaptive (False: keep a step only if it lowers the loss,
        Levenberg-Marquardt style), log_curvature (False: the smallest eigenvalue of H before
        each update, in ``last_update``), grid ('auto' or 'PxQ') and block_size (128) of the
        distributed Hessian; and the common options.
        """),
    "HessianDiagonal": (
        {"min_eigval": 0.01, "step": 0.1, "chunk_bytes": 32 << 20},
        """Newton's method on the diagonal of the exact Hessian (neupy's ``algorithms.HessianDiagonal``).

        theta <- theta - step * g * clip(1 / diag(H), -1/min_eigval, 1/min_eigval), diag(H) the
        true diagonal of the exact Hessian, computed without forming H.

        Options: min_eigval (0.01, in (0, 1]), step (0.1), chunk_bytes (working memory of the
        diagonal kernel); and the common options.
        """),
    "TrustRegion": (
        {"initial_radius": 1.0, "max_radius": 1000.0, "eta": 0.15, "max_rejections": 10, "log_curvature": False,
         "grid": "auto", "block_size": 128},
        """Trust-region Newton steps on the exact Hessian: each epoch solves min g's + s'Hs/2 over
        |s| <= radius (Moré–Sorensen on the distributed Cholesky factorization) and adapts the
        radius from actual over predicted decrease (kept when above ``eta``). See
        docs/trust-region.md.""",
    ),
    "LevenbergMarquardt": (
        {"mu": 0.01, "mu_update_factor": 1.2, "mu_max": 1e10, "retry": False, "grid": "auto", "block_size": 128},
        """Levenberg-Marquardt (neupy's ``algorithms.LevenbergMarquardt``): (J'J + mu I) d = J'e on
        the exactly assembled (generalised) Gauss-Newton matrix. ``retry=True`` with
        ``mu=0.001, mu_update_factor=10`` is MATLAB's trainlm. See docs/trust-region.md.""",
    ),
}

_NO_STEP = {"Hessian": "penalty_const", "TrustRegion": "initial_radius"}  # no learning rate: what to tune
_STOP_RULE_TYPES = {"goal": float, "min_grad": float, "max_fail": int, "time_limit": float}


def _checked_type(algorithm, name, value, default):
    """``value`` as the engine's type for the option (that of its default); a TypeError or
    ValueError naming the option otherwise, rather than pybind11's cast error."""
    kind = _STOP_RULE_TYPES.get(name, type(default))
    if value is None or kind is type(None) or name in ("loss", "regularizer", "signals"):
        return value
    if kind is bool:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError("{}: option {} must be True or False, got {!r}".format(algorithm, name, value))
        return bool(value)
    if kind is int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError("{}: option {} must be an integer, got {!r}".format(algorithm, name, value))
        if name in ("seed", "chunk_bytes") and value < 0:
            raise ValueError("{}: option {} must be >= 0, got {}".format(algorithm, name, value))
        smallest, largest = (0, 2**64 - 1) if name in ("seed", "chunk_bytes") else (-2**31, 2**31 - 1)
        if not smallest <= value <= largest:  # the engine's uint64 or int
            raise ValueError("{}: option {} must be in [{}, {}], got {}".format(algorithm, name, smallest, largest,
                                                                                value))
        return int(value)
    if kind is float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError("{}: option {} must be a number, got {!r}".format(algorithm, name, value))
        return float(value)
    if kind is str and not isinstance(value, str):
        raise TypeError("{}: option {} must be a string, got {!r}".format(algorithm, name, value))
    return value


def available():
    """The algorithms of the table that this build's engine has."""
    engine = _hessnet.algorithms()
    return [name for name in ALGORITHMS if name in engine]


def _default_comm(comm):
    if comm is None:
        return MPI.COMM_WORLD
    if not isinstance(comm, MPI.Comm):
        raise TypeError("comm must be an mpi4py communicator (e.g. MPI.COMM_WORLD), got {!r}".format(comm))
    return comm


class ErrorHistory:
    """neupy's ``errors``: ``train[i]`` is the training loss (with the regularizer) at the
    parameters before update i, ``valid[i]`` the test loss after epoch i."""

    def __init__(self, handle):
        self._handle = handle

    @property
    def train(self):
        return self._handle.train_errors()

    @property
    def valid(self):
        return self._handle.valid_errors()

    def last(self):
        """The last train error, or None before training."""
        errors = self.train
        return errors[-1] if errors else None

    def __repr__(self):
        return "ErrorHistory(train={}, valid={})".format(self.train, self.valid)


class BaseOptimizer:
    """The training loop every algorithm shares (neupy's BaseOptimizer); see the module doc."""

    algorithm = None  # a key of ALGORITHMS

    def __init__(self, network, comm=None, **options):
        own, _ = ALGORITHMS[self.algorithm]
        engine_options = _hessnet.algorithms()[self.algorithm]
        known = dict(COMMON_OPTIONS, **own)
        known.update({k: v for k, v in STOP_RULES.items() if k in engine_options})
        for name in options:
            if name == "step" and self.algorithm in _NO_STEP:
                raise TypeError("{} has no step option: Newton's method needs no learning rate (tune "
                                "{} instead)".format(self.algorithm, _NO_STEP[self.algorithm]))
            if name not in known:
                raise TypeError("{}() got an unexpected keyword argument {!r}".format(self.algorithm, name))
        options = {name: _checked_type(self.algorithm, name, value, known[name]) for name, value in options.items()}
        self.comm = _default_comm(comm)
        self._network = Network.of(network)
        self._given = dict(known, **options)
        self._signals = _signals.normalize(options.get("signals"))
        self._extra_signals = []
        self._timer = {}
        self.last_update = None  # the last update's report (penalty, escalations, seconds, ...)
        self._data = {}

        engine = {k: v for k, v in options.items() if k not in ("signals", "loss", "regularizer") and v is not None}
        if "loss" in options:
            engine["loss"], engine["loss_name"] = engine_loss(options["loss"])
        if "regularizer" in options:
            engine["regularizer"] = engine_regularizer(options["regularizer"])
        events = _signals.events_of(self._signals)
        if "train_error" in events or "valid_error" in events:
            events = sorted(set(events) | {"update_start", "update_end"}, key=_signals.EVENTS.index)
        events = sorted(set(events) | {"epoch_end", "update_end"}, key=_signals.EVENTS.index)
        self._handle = _hessnet.Trainer(self.algorithm, self._network._specs(), self._network.parameters, engine,
                                        self.comm, _dispatcher(self), events)
        self.errors = ErrorHistory(self._handle)
        self._network.parameters = self._handle.parameters()

    # -- neupy's attributes -------------------------------------------------------------
    @property
    def last_epoch(self):
        """The last epoch trained (0 before training); the next train starts after it."""
        return self._handle.last_epoch

    @property
    def n_updates_made(self):
        """Updates applied (one per epoch unless an update could not be applied)."""
        return self._handle.n_updates_made

    @property
    def network(self):
        """The network being trained, with its current parameters."""
        return self._network

    @property
    def stopped(self):
        """Whether the last train ended early (StopTraining, or an update that could not be applied)."""
        return self._handle.stopped

    @property
    def stop_message(self):
        return self._handle.stop_message

    @property
    def options(self):
        """The checked options, as the engine holds them (and verbose prints them)."""
        return self._handle.options()

    def __getattr__(self, name):
        """neupy's option attributes (``optimizer.penalty_const``): the engine's checked value,
        or, for the loss, regularizer and signals, what the caller gave."""
        given = self.__dict__.get("_given", {})
        if name not in given:
            raise AttributeError("{!r} object has no attribute {!r}".format(type(self).__name__, name))
        if name in ("loss", "regularizer", "signals"):
            return given[name]
        return self._handle.options().get(name, given[name])

    def __repr__(self):
        return "{}({})".format(self.algorithm, ", ".join(
            "{}={!r}".format(k, getattr(self, k)) for k in sorted(self._given)))

    # -- training -----------------------------------------------------------------------
    def train(self, X_train, y_train=None, X_test=None, y_test=None, epochs=100, batch_size=None, sharded=False,
              checkpoint=None, checkpoint_every=1, resume=None):
        """Trains for ``epochs`` more epochs (numbered from last_epoch + 1), one update each on
        the whole training set. Collective under MPI.

        By default every rank passes the whole data set and keeps its own block of rows (what an
        unchanged neupy script does); ``sharded=True``: each rank passes only its block
        (``np.array_split(X, size)[rank]``), so no rank holds all the data.
        ``checkpoint=DIR`` writes DIR/checkpoint.json after every ``checkpoint_every``-th epoch
        and the last; ``resume=DIR`` continues from it, and ``epochs`` is then the total to
        reach (as ``hessnet train --resume``). Returns nothing, as neupy's.
        """
        if batch_size is not None:
            raise ValueError("batch_size must be None: {} updates on all samples at once".format(self.algorithm))
        if isinstance(epochs, bool) or not isinstance(epochs, int) and not hasattr(epochs, "__index__"):
            raise TypeError("epochs must be an int, got {!r}".format(epochs))
        epochs = int(epochs)
        n_in, n_out = self._network.layers[0].units, self._network.layers[-1].units

        def prepare():
            if epochs <= 0:
                raise ValueError("epochs must be > 0, got {}".format(epochs))
            if epochs > 2**31 - 1 - self.last_epoch:  # the engine numbers epochs with an int
                raise ValueError("epochs must be at most {} after epoch {}, got {}".format(
                    2**31 - 1 - self.last_epoch, self.last_epoch, epochs))
            if (X_test is None) != (y_test is None):
                raise ValueError("X_test and y_test must be given together, got only {}".format(
                    "X_test" if y_test is None else "y_test"))
            if y_train is None:
                raise ValueError("y_train is needed: {} learns from targets".format(self.algorithm))
            x = as_matrix(X_train, "X_train", columns=n_in)
            y = as_matrix(y_train, "y_train", columns=n_out)
            check_same_rows(x, y, "X_train", "y_train")
            xt = yt = None
            if X_test is not None:
                xt = as_matrix(X_test, "X_test", columns=n_in)
                yt = as_matrix(y_test, "y_test", columns=n_out)
                check_same_rows(xt, yt, "X_test", "y_test")
            if checkpoint is not None and self.comm.rank == 0:
                try:
                    os.makedirs(checkpoint, exist_ok=True)
                except OSError as e:  # name the argument, as the CLI names --checkpoint
                    raise type(e)(e.errno, "checkpoint: cannot create the directory ({})".format(e.strerror),
                                  str(checkpoint)) from None
            return x, y, xt, yt

        x, y, xt, yt = _hessnet.agree(self.comm, prepare)
        if resume is not None:
            self.restore_checkpoint(resume)
            epochs -= self.last_epoch
            if epochs <= 0:
                return
        self._data = {"X_train": X_train, "y_train": y_train, "epochs": epochs}
        final = self.last_epoch + epochs
        if checkpoint is not None:
            self._extra_signals = [_Checkpointing(_checkpoint_file(checkpoint), int(checkpoint_every), final)]
        self._take_network_parameters()
        try:
            self._handle.train(x, y, xt, yt, epochs, bool(sharded))
        finally:
            self._extra_signals = []
            self._data = {}
            self._network.parameters = self._handle.parameters()

    def fit(self, *args, **kwargs):
        """Alias of train, as in neupy."""
        self.train(*args, **kwargs)
        return self

    def predict(self, X):
        """The network's outputs for X (local to each rank; a 1-D X is one sample)."""
        x = as_matrix(X, "X", columns=self._network.layers[0].units, one_sample=True)
        return self._network.predict(x)  # the shared network's parameters, whoever set them last

    def score(self, X, y, sharded=False):
        """The loss on (X, y) without the regularizer. Collective under MPI."""
        n_in, n_out = self._network.layers[0].units, self._network.layers[-1].units
        x, t = _hessnet.agree(self.comm, lambda: (as_matrix(X, "X", columns=n_in), as_matrix(y, "y", columns=n_out)))
        self._take_network_parameters()
        return self._handle.score(x, t, bool(sharded))

    def _take_network_parameters(self):
        """Collective. Parameters set on the network since this optimizer last wrote them (by
        the user, or another optimizer sharing it, as neupy's do) are the ones to go on from."""
        mine = self._network.parameters
        changed = mine is not None and not np.array_equal(mine, self._handle.parameters())
        if self.comm.allreduce(changed, op=MPI.LOR):
            self._handle.set_parameters(np.ascontiguousarray(mine, dtype=np.float64))

    # -- files --------------------------------------------------------------------------
    def save(self, path):
        """Writes the trained network as a model file (the CLI's JSON). Collective: rank 0 writes."""
        from .models import save  # pylint: disable=import-outside-toplevel
        save(self._network, path, comm=self.comm)

    def save_checkpoint(self, path):
        """Writes the state of training (docs/checkpoints.md) to ``path`` or DIR/checkpoint.json. Collective."""
        self._take_network_parameters()
        self._handle.save_checkpoint(_checkpoint_file(path))

    def restore_checkpoint(self, path):
        """Continues from a checkpoint file or directory (the CLI's ``--resume``). Collective; a
        checkpoint of another algorithm, network or iteration-changing option is refused."""
        self._handle.restore_checkpoint(_checkpoint_file(path))
        self._network.parameters = self._handle.parameters()

    # -- signals ------------------------------------------------------------------------
    def _fire(self, event, data):
        now = time.perf_counter()
        if event == "update_start":
            self._timer["update"] = now
        elif event == "update_end":
            self.last_update = data
            self._timer["valid"] = now
            self._network.parameters = self._handle.parameters()
        if event == "train_start":
            kwargs = {"X_train": self._data.get("X_train"), "y_train": self._data.get("y_train"),
                      "epochs": data["epochs"], "batch_size": None}
        elif event in ("train_error", "valid_error"):
            started = self._timer.get("update" if event == "train_error" else "valid", now)
            kwargs = {"value": data["value"], "eta": now - started, "epoch": data["epoch"],
                      "n_updates": data["n_updates"], "n_samples": data["n_samples"]}
        else:
            kwargs = {}
        for signal in self._signals + self._extra_signals:
            handler = getattr(signal, event, None)
            if handler is not None:
                handler(self, **kwargs)


class _Checkpointing:
    """Writes a checkpoint after every ``every``-th epoch and after epoch ``final``."""

    def __init__(self, path, every, final):
        if every < 1:
            raise ValueError("checkpoint_every must be >= 1, got {}".format(every))
        self.path, self.every, self.final = path, every, final

    def epoch_end(self, optimizer):
        epoch = optimizer.last_epoch
        if epoch % self.every == 0 or epoch == self.final:
            optimizer.save_checkpoint(self.path)


def _checkpoint_file(path):
    path = os.fspath(path)
    return os.path.join(path, "checkpoint.json") if not path.endswith(".json") else path


def _dispatcher(optimizer):
    """The engine's callback: events go to the optimizer while it exists (a weak reference,
    so that the optimizer and its engine can be freed)."""
    ref = weakref.ref(optimizer)

    def dispatch(event, data):
        target = ref()
        if target is not None:
            target._fire(event, data)  # pylint: disable=protected-access

    return dispatch


def _algorithm_class(name):
    own, doc = ALGORITHMS[name]
    return type(name, (BaseOptimizer,), {"algorithm": name, "__doc__": doc, "default_options": dict(own)})


__all__ = ["BaseOptimizer", "ALGORITHMS", "available", "l1", "l2", "maxnorm"]
for _name in available():
    globals()[_name] = _algorithm_class(_name)
    __all__.append(_name)
