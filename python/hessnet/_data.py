# SPDX-License-Identifier: MIT
"""Arrays as the engine reads them: float64, C order, samples as rows, finite.

A float64 C-contiguous array is passed on as it is (the engine reads the caller's memory);
anything else NumPy can convert (other dtypes and orders, lists, pandas DataFrames) is
converted once. Errors name the argument.
"""
import numpy as np


def as_matrix(value, name, columns=None, one_sample=False):
    """``value`` as a 2-D float64 C-order array with ``columns`` columns.

    A 1-D array is one sample when ``one_sample`` (predict), else one column when
    ``columns`` is 1 (a target vector), else an error.
    """
    if value is None:
        raise TypeError("{} must be an array, got None".format(name))
    array = value if isinstance(value, np.ndarray) else _from_array_like(value, name)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError("{} must hold numbers, got an array of dtype {}".format(name, array.dtype))
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError("{} must hold real numbers, got dtype {}".format(name, array.dtype))
    if array.ndim == 1:
        if one_sample:
            array = array.reshape(1, -1)
        elif columns == 1:
            array = array.reshape(-1, 1)
        else:
            raise ValueError("{} must be 2-D (samples x {} columns), got shape {}".format(name, columns, array.shape))
    if array.ndim != 2:
        raise ValueError("{} must be 2-D (samples x columns), got shape {}".format(name, array.shape))
    if columns is not None and array.shape[1] != columns:
        raise ValueError("{} has {} columns, the network needs {}".format(name, array.shape[1], columns))
    array = np.ascontiguousarray(array, dtype=np.float64)  # no copy when it is already so
    if not np.isfinite(array).all():
        row = int(np.argwhere(~np.isfinite(array))[0][0])
        raise ValueError("{} contains NaN or infinity (first in row {})".format(name, row))
    return array


def _from_array_like(value, name):
    """NumPy's view of a list, a pandas DataFrame or Series, or anything with __array__."""
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError("{} must be an array, got {} ({})".format(name, type(value).__name__, error)) from None


def check_same_rows(x, y, x_name, y_name):
    if x.shape[0] != y.shape[0]:
        raise ValueError("{} has {} samples and {} has {}: they must be the same samples".format(
            x_name, x.shape[0], y_name, y.shape[0]))
