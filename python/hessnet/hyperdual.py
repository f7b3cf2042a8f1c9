# SPDX-License-Identifier: MIT
"""Hyper-dual arrays: exact first and second derivatives of NumPy code, no finite differences.

A hyper-dual number is a + b e1 + c e2 + d e1 e2 with e1^2 = e2^2 = 0 and e1 e2 != 0.
Evaluating f at x + e1 u + e2 v gives f(x) + (grad f . u) e1 + (grad f . v) e2 + (u^T H v) e1 e2
exactly (Fike & Alonso, AIAA 2011-886): ``HyperDualArray`` holds the four parts as NumPy arrays
and follows them through arithmetic and the ufuncs losses use (log, exp, sqrt, abs, square,
power, maximum, minimum, clip, where, ...), elementwise. This is how a custom loss
``f(expected, predicted)`` gets its exact derivatives: hessnet calls it once per evaluation
with ``predicted`` seeded as a hyper-dual array over all samples.

>>> import numpy as np
>>> from hessnet.hyperdual import derivatives
>>> value, gradient, hessian = derivatives(lambda x, y: x**2 + y**3 + 7*x*y, [1.0, 2.0])
>>> gradient.tolist(), hessian.tolist()
([16.0, 19.0], [[2.0, 7.0], [7.0, 12.0]])
"""
import numpy as np

__all__ = ("HyperDualArray", "derivatives", "elementwise_derivatives")


def _lift(x):
    return x if isinstance(x, HyperDualArray) else HyperDualArray(np.asarray(x, dtype=np.float64))


def _chain(x, f0, f1, f2):
    """g(x) for a scalar function g with value f0, g' = f1, g'' = f2 at x.a (the chain rule)."""
    return HyperDualArray(f0, f1 * x.b, f1 * x.c, f1 * x.d + f2 * x.b * x.c)


def _select(condition, x, y):
    x, y = _lift(x), _lift(y)
    return HyperDualArray(*(np.where(condition, p, q) for p, q in zip(x.parts, y.parts)))


def _multiply(x, y):
    return HyperDualArray(x.a * y.a, x.a * y.b + x.b * y.a, x.a * y.c + x.c * y.a,
                          x.a * y.d + x.b * y.c + x.c * y.b + x.d * y.a)


def _reciprocal(y):
    inv = 1.0 / y.a
    return _chain(y, inv, -inv * inv, 2.0 * inv * inv * inv)


def _power(x, p):
    if isinstance(p, HyperDualArray):  # x^p = exp(p log x)
        return _exp(_multiply(p, _log(x)))
    p = np.asarray(p, dtype=np.float64)
    return _chain(x, np.power(x.a, p), p * np.power(x.a, p - 1), p * (p - 1) * np.power(x.a, p - 2))


def _exp(x):
    e = np.exp(x.a)
    return _chain(x, e, e, e)


def _log(x):
    return _chain(x, np.log(x.a), 1.0 / x.a, -1.0 / (x.a * x.a))


def _sqrt(x):
    r = np.sqrt(x.a)
    return _chain(x, r, 0.5 / r, -0.25 / (r * x.a))


def _zero_slope(x, value):
    return HyperDualArray(value, np.zeros_like(x.b), np.zeros_like(x.c), np.zeros_like(x.d))


def _unary(name):
    def tanh(x):
        t = np.tanh(x.a)
        return _chain(x, t, 1 - t * t, -2 * t * (1 - t * t))

    def log1p(x):
        inv = 1.0 / (1.0 + x.a)
        return _chain(x, np.log1p(x.a), inv, -inv * inv)

    def expm1(x):
        e = np.exp(x.a)
        return _chain(x, np.expm1(x.a), e, e)

    def abs_(x):  # |x|: slope sign(x) (0 at 0), no curvature, as the C++ HyperDual
        return _chain(x, np.abs(x.a), np.sign(x.a), 0.0)

    table = {
        "negative": lambda x: HyperDualArray(-x.a, -x.b, -x.c, -x.d),
        "positive": lambda x: x,
        "exp": _exp,
        "log": _log,
        "log2": lambda x: _chain(x, np.log2(x.a), 1.0 / (x.a * np.log(2)), -1.0 / (x.a * x.a * np.log(2))),
        "log10": lambda x: _chain(x, np.log10(x.a), 1.0 / (x.a * np.log(10)), -1.0 / (x.a * x.a * np.log(10))),
        "log1p": log1p,
        "expm1": expm1,
        "sqrt": _sqrt,
        "square": lambda x: _multiply(x, x),
        "absolute": abs_,
        "fabs": abs_,
        "tanh": tanh,
        "sin": lambda x: _chain(x, np.sin(x.a), np.cos(x.a), -np.sin(x.a)),
        "cos": lambda x: _chain(x, np.cos(x.a), -np.sin(x.a), -np.cos(x.a)),
        "reciprocal": _reciprocal,
        "sign": lambda x: _zero_slope(x, np.sign(x.a)),
    }
    return table.get(name)


def _binary(name):
    table = {
        "add": lambda x, y: HyperDualArray(*(p + q for p, q in zip(x.parts, y.parts))),
        "subtract": lambda x, y: HyperDualArray(*(p - q for p, q in zip(x.parts, y.parts))),
        "multiply": _multiply,
        "true_divide": lambda x, y: _multiply(x, _reciprocal(y)),
        "divide": lambda x, y: _multiply(x, _reciprocal(y)),
        "power": lambda x, y: _power(x, y.a if not y.has_slope else y),
        "float_power": lambda x, y: _power(x, y.a if not y.has_slope else y),
        # Ties pick the first argument, as the C++ HyperDual max and min do.
        "maximum": lambda x, y: _select(x.a >= y.a, x, y),
        "minimum": lambda x, y: _select(x.a <= y.a, x, y),
        "fmax": lambda x, y: _select(x.a >= y.a, x, y),
        "fmin": lambda x, y: _select(x.a <= y.a, x, y),
    }
    return table.get(name)


_COMPARISONS = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal", "isfinite", "isnan",
                "isinf", "signbit"}


class HyperDualArray:
    """An array of hyper-dual numbers a + b e1 + c e2 + d e1 e2, each part a NumPy array.

    Arithmetic and NumPy's ufuncs act on all four parts by the chain rule; comparisons
    (and functions like ``np.isnan``) look at the values only, so branches written with
    ``np.where`` or ``np.maximum`` pick the piece of a piecewise function.
    """

    __array_priority__ = 100

    def __init__(self, a, b=None, c=None, d=None):
        self.a = np.asarray(a, dtype=np.float64)
        zero = np.zeros_like(self.a)
        self.b = zero if b is None else np.asarray(b, dtype=np.float64)
        self.c = zero if c is None else np.asarray(c, dtype=np.float64)
        self.d = zero if d is None else np.asarray(d, dtype=np.float64)

    @classmethod
    def variable(cls, x):
        """x seeded in both directions: f(variable(x)) holds f, f' (in b and c) and f'' (in d)."""
        x = np.asarray(x, dtype=np.float64)
        return cls(x, np.ones_like(x), np.ones_like(x), np.zeros_like(x))

    @property
    def parts(self):
        return (self.a, self.b, self.c, self.d)

    @property
    def has_slope(self):
        return bool(self.b.any() or self.c.any() or self.d.any())

    @property
    def shape(self):
        return np.broadcast_shapes(*(p.shape for p in self.parts))

    @property
    def ndim(self):
        return len(self.shape)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        return HyperDualArray(*(np.broadcast_to(p, self.shape)[index] for p in self.parts))

    def __repr__(self):
        return "HyperDualArray(a={!r}, b={!r}, c={!r}, d={!r})".format(*self.parts)

    # Arithmetic goes through the ufuncs, so x + 1, 1 + x, x * y, ... all take one path.
    def __add__(self, other):
        return np.add(self, other)

    def __radd__(self, other):
        return np.add(other, self)

    def __sub__(self, other):
        return np.subtract(self, other)

    def __rsub__(self, other):
        return np.subtract(other, self)

    def __mul__(self, other):
        return np.multiply(self, other)

    def __rmul__(self, other):
        return np.multiply(other, self)

    def __truediv__(self, other):
        return np.true_divide(self, other)

    def __rtruediv__(self, other):
        return np.true_divide(other, self)

    def __pow__(self, other):
        return np.power(self, other)

    def __rpow__(self, other):
        return np.power(other, self)

    def __neg__(self):
        return np.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return np.absolute(self)

    def __lt__(self, other):
        return np.less(self, other)

    def __le__(self, other):
        return np.less_equal(self, other)

    def __gt__(self, other):
        return np.greater(self, other)

    def __ge__(self, other):
        return np.greater_equal(self, other)

    def clip(self, min=None, max=None):  # pylint: disable=redefined-builtin
        """np.clip(x, lo, hi): outside [lo, hi] the result is constant (zero derivatives)."""
        out = self
        if min is not None:
            out = np.maximum(out, min)
        if max is not None:
            out = np.minimum(out, max)
        return out

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs.get("out") is not None:
            return NotImplemented
        name = ufunc.__name__
        if name in _COMPARISONS:
            return ufunc(*(x.a if isinstance(x, HyperDualArray) else x for x in inputs))
        if name == "clip":
            return _lift(inputs[0]).clip(inputs[1], inputs[2])
        if ufunc.nin == 1 and _unary(name):
            return _unary(name)(_lift(inputs[0]))
        if ufunc.nin == 2 and _binary(name):
            return _binary(name)(_lift(inputs[0]), _lift(inputs[1]))
        raise TypeError("hessnet's hyper-dual arrays have no exact derivatives for numpy.{}; write the loss "
                        "with arithmetic, log, exp, sqrt, abs, square, power, maximum, minimum, clip, where, "
                        "tanh, sin, cos".format(name))

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where:
            condition, x, y = (list(args) + [kwargs.get(k) for k in ("condition", "x", "y")][len(args):])
            if isinstance(condition, HyperDualArray):
                condition = condition.a != 0
            return _select(condition, x, y)
        if func is np.clip:
            x, lo, hi = (list(args) + [None, None])[:3]
            lo = kwargs.get("a_min", lo)
            hi = kwargs.get("a_max", hi)
            return _lift(x).clip(lo, hi)
        if func in (np.shape, np.ndim):
            return func(np.empty(self.shape))
        if func is np.broadcast_to:
            shape = args[1] if len(args) > 1 else kwargs["shape"]
            return HyperDualArray(*(np.broadcast_to(p, shape) for p in _lift(args[0]).parts))
        raise TypeError("numpy.{} is not elementwise: a custom loss returns one value per element "
                        "(hessnet takes the mean), so write it elementwise".format(func.__name__))


def elementwise_derivatives(f, expected, predicted):
    """The values of an elementwise ``f(expected, predicted)`` and its exact first and second
    derivatives in ``predicted``, each of predicted's shape: one call of f on hyper-dual arrays."""
    predicted = np.asarray(predicted, dtype=np.float64)
    result = f(expected, HyperDualArray.variable(predicted))
    result = _lift(result)
    try:
        parts = [np.broadcast_to(p, predicted.shape) for p in (result.a, result.b, result.d)]
    except ValueError:
        raise ValueError("the loss function must return one value per element, shape {}; got shape {}".format(
            predicted.shape, result.shape)) from None
    return tuple(np.ascontiguousarray(p) for p in parts)


def derivatives(f, point):
    """Value, gradient and Hessian of a scalar function of several variables at ``point``,
    exactly: f is called with one hyper-dual argument per variable, once per pair (i, j <= i)
    of directions e1 = unit i, e2 = unit j."""
    point = np.asarray(point, dtype=np.float64)
    n = point.size
    gradient, hessian = np.zeros(n), np.zeros((n, n))
    value = 0.0
    for i in range(n):
        for j in range(i + 1):
            args = [HyperDualArray(point[k], float(k == i), float(k == j), 0.0) for k in range(n)]
            r = _lift(f(*args))
            value = float(r.a)
            hessian[i, j] = hessian[j, i] = float(r.d)
            if j == i:
                gradient[i] = float(r.b)
    return value, gradient, hessian
