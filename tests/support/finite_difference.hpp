// SPDX-License-Identifier: MIT
#pragma once
// Reference derivatives by central differences, the oracle for the exact kernels.
#include <algorithm>
#include <cmath>
#include <functional>

#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/core/random.hpp"

namespace hessnet::testing {

/// Central differences of a vector function: column k is (f(x + h e_k) - f(x - h e_k)) / 2h.
inline Matrix central_jacobian(const std::function<Vector(const Vector&)>& f, const Vector& x,
                               double relative_step = 1e-5) {
  Matrix jac;
  for (Index k = 0; k < x.size(); ++k) {
    const double h = relative_step * std::max(1.0, std::abs(x[k]));
    Vector up = x, down = x;
    up[k] += h;
    down[k] -= h;
    const Vector column = (f(up) - f(down)) / (2 * h);
    if (k == 0) jac.resize(column.size(), x.size());
    jac.col(k) = column;
  }
  return jac;
}

/// Largest absolute difference relative to the largest entry of the reference.
inline double relative_error(const Matrix& value, const Matrix& reference) {
  const double scale = std::max(reference.cwiseAbs().maxCoeff(), 1e-300);
  return (value - reference).cwiseAbs().maxCoeff() / scale;
}

/// Random matrix with entries uniform in [lo, hi).
inline RowMatrix random_matrix(Index rows, Index cols, std::uint64_t seed, double lo = -1, double hi = 1) {
  Random rng(seed);
  RowMatrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = lo + (hi - lo) * rng.uniform();
  return m;
}

/// One-hot rows for random classes.
inline RowMatrix random_one_hot(Index rows, Index classes, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix m = RowMatrix::Zero(rows, classes);
  for (Index s = 0; s < rows; ++s) m(s, static_cast<Index>(rng.below(static_cast<std::uint64_t>(classes)))) = 1;
  return m;
}

}  // namespace hessnet::testing
