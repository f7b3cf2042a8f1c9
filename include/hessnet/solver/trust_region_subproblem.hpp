// SPDX-License-Identifier: MIT
#pragma once
/// @file The trust-region subproblem min g^T s + s^T H s / 2 subject to |s| <= radius, solved
/// nearly exactly by the Moré–Sorensen iteration on the distributed Cholesky factorization.
#include <string>
#include <vector>

#include "hessnet/solver/damped_system.hpp"

namespace hessnet {

struct SubproblemOptions {
  /// Stop when |s| is within this fraction of the radius (Moré & Sorensen's sigma_1; SciPy's k_easy).
  double boundary_tolerance = 0.1;
  /// Accept s + tau z in the hard case when tau^2 z^T (H + lambda I) z <= this times
  /// s^T (H + lambda I) s + lambda radius^2 (Moré & Sorensen's sigma_2 role; SciPy's k_hard).
  double hard_case_tolerance = 0.2;
  /// Factorizations per subproblem at most.
  int max_factorizations = 25;
};

/// The solution of one subproblem; the same on every rank.
struct SubproblemSolution {
  Vector step;        ///< s (empty when no finite step was found)
  double lambda = 0;  ///< the multiplier: (H + lambda I) s = -g, lambda (radius - |s|) ~ 0
  bool on_boundary = false;
  bool hard_case = false;         ///< s = s(lambda) + tau z along a near-null vector z of H + lambda I
  double predicted_decrease = 0;  ///< -(g^T s + s^T H s / 2), from an exact product H s
  int factorizations = 0;
  std::vector<std::string> notes;
};

/// Collective. Minimizes the quadratic model over the ball |s| <= radius (Moré & Sorensen,
/// "Computing a trust region step", SIAM J. Sci. Stat. Comput. 4(3), 1983; Nocedal & Wright,
/// Numerical Optimization, 2nd ed., Algorithm 4.3 and section 4.3).
///
/// lambda is kept in a safeguarding interval [lambda_L, lambda_U] that starts from bounds on
/// H's spectrum (|H|_1, min H_ii, |g| / radius) and shrinks with every factorization: a failed
/// one raises lambda_L past the bound its leading minor implies; a successful one with
/// |s(lambda)| > radius raises lambda_L to lambda, with |s| < radius lowers lambda_U to
/// lambda. Inside it, Newton's method on 1/|s(lambda)| - 1/radius takes
/// \f$ \lambda \leftarrow \lambda + (|s| / |q|)^2 (|s| - \Delta) / \Delta \f$, q = L^{-1} s (one
/// triangular solve). lambda = 0 is tried first when H may be positive definite and the
/// Newton step short enough; otherwise the iteration starts from `lambda_hint` (the previous
/// subproblem's multiplier), clamped into the interval.
///
/// Hard case: when |s(lambda)| < radius at lambda > 0, two steps of inverse iteration with the
/// factor give a near-null vector z of H + lambda I; s + tau z (|s + tau z| = radius, the
/// root with the lower model value) is taken when its extra curvature is small enough.
SubproblemSolution solve_trust_region_subproblem(DampedSystem& system, const Vector& gradient, double radius,
                                                 double lambda_hint, const SubproblemOptions& options = {});

}  // namespace hessnet
