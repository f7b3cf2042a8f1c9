// SPDX-License-Identifier: MIT
#pragma once
/// @file The smallest eigenvalue of a symmetric operator, estimated by a few Lanczos steps.
#include <functional>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// The smallest Ritz value (and its Ritz vector) of `multiply` on the Krylov space of `start` after at most `steps`
/// Lanczos steps with full reorthogonalization (Golub & Van Loan, Matrix Computations,
/// section 10.1). By the Cauchy interlacing theorem it is never below the smallest
/// eigenvalue, and it approaches it quickly from a start with negative curvature. `multiply`
/// may be collective: it is called the same number of times, with the same vectors, on every
/// rank when `start` is the same (all arithmetic here is on replicated vectors).
struct RitzPair {
  double value = 0;  ///< NaN for a zero start
  Vector vector;     ///< unit length
};
/// The same pseudo-random unit vector of length n on every rank (a fixed seed): a start for
/// collective iterations (Lanczos, inverse iteration) that favours no structure of the matrix.
Vector deterministic_unit_vector(Index n);

RitzPair lanczos_smallest(const std::function<Vector(const Vector&)>& multiply, const Vector& start, int steps);

}  // namespace hessnet
