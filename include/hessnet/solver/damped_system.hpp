// SPDX-License-Identifier: MIT
#pragma once
/// @file The damped Newton system (H + lambda I) x = g, with lambda raised until it is SPD.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "hessnet/dist/cholesky_solve.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/optim/options.hpp"
#include "hessnet/optim/update_report.hpp"

namespace hessnet {

/// The result of DampedSystem::solve; the same on every rank.
struct DampedSolve {
  StepStatus status = StepStatus::Ok;
  Vector step;                     ///< x, replicated on every rank (empty unless Ok)
  double lambda = 0;               ///< the lambda that worked (or the last one tried)
  int escalations = 0;             ///< how many times lambda was raised
  int factorizations = 0;          ///< Cholesky factorizations attempted
  double seconds = 0;              ///< in factorizations, solves and triangle copies
  std::vector<std::string> notes;  ///< one line per raised lambda
};

/// A symmetric H held in both triangles of a DistMatrix, solved with increasing damping.
/// Works on a gradient and the matrix only: it knows nothing of networks or losses.
///
/// Cholesky (pdposv) overwrites the triangle it factors and the diagonal. The diagonal is
/// saved (O(N/P) per rank), and every factorization uses the triangle pdpotrf runs faster
/// on the grid (lower unless the grid has more process rows than columns). Before a
/// factorization would leave no intact copy of H, the intact triangle is copied onto the
/// other (mirror_triangle, each rank's share sent once, in panels of `mirror_width` columns),
/// so one assembled H serves any number of retries and is never reassembled.
class DampedSystem {
 public:
  /// Local. `hessian` must outlive this object; `mirror_width` bounds the copy buffers
  /// (HessianStorage::panel_width, so they fit the memory plan).
  DampedSystem(DistMatrix& hessian, DampingOptions options, Index mirror_width);

  /// Local. Call after H was (re)assembled: saves its diagonal, marks both triangles intact.
  void reset();

  /// Local. Records that `triangle` (with the diagonal) no longer holds H, e.g. because an
  /// eigensolver reduced it in place after reset(): the next solve restores it from the other
  /// triangle and the diagonal saved by reset().
  void mark_overwritten(Triangle triangle);

  /// Collective. Solves \f$ (H + \lambda I) x = g \f$, multiplying lambda by the factor after
  /// each factorization that finds the matrix not positive definite (agreed on all ranks).
  /// @return Ok; DampingCapReached after max_escalations; NonFinite when g or x is not finite.
  DampedSolve solve(const Vector& gradient, double lambda);

 private:
  /// The triangle to factor next; afterwards the other one still holds H.
  Triangle triangle_to_factor(DampedSolve& result);
  void set_diagonal(double lambda);

  DistMatrix& hessian_;
  DampingOptions options_;
  Index mirror_width_;
  std::vector<std::pair<std::size_t, double>> diagonal_;  // local offset, value of H
  bool lower_intact_ = false, upper_intact_ = false;
};

}  // namespace hessnet
