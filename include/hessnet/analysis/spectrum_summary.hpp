// SPDX-License-Identifier: MIT
#pragma once
/// @file What a user reads off the eigenvalues of a Hessian: extremes, condition number and
/// the inertia (negative, zero and positive counts). Pure: no MPI.
#include <vector>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// What `hessnet spectrum` reports about a set of eigenvalues.
struct SpectrumSummary {
  Index n = 0;
  double min = 0;             ///< smallest eigenvalue (NaN when n = 0)
  double max = 0;             ///< largest eigenvalue (NaN when n = 0)
  double max_abs = 0;         ///< max |lambda|
  double min_abs = 0;         ///< min |lambda|
  double zero_tolerance = 0;  ///< |lambda| <= this counts as zero: n eps max_abs
  /// max|lambda| / min|lambda|; +inf when the matrix is singular to working accuracy
  /// (zero > 0) or n = 0.
  double condition = 0;
  Index negative = 0;  ///< lambda < -zero_tolerance
  Index zero = 0;      ///< |lambda| <= zero_tolerance
  Index positive = 0;  ///< lambda > zero_tolerance
};

/// Local, pure. The summary of `eigenvalues` (any order). The zero tolerance
/// \f$ N \varepsilon \max|\lambda| \f$ is the backward error bound of a symmetric
/// eigensolver: eigenvalues inside it are zero to working accuracy.
SpectrumSummary summarize_spectrum(const std::vector<double>& eigenvalues);

}  // namespace hessnet
