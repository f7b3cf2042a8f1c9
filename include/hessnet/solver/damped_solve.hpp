// SPDX-License-Identifier: MIT
#pragma once
/// @file The damped Newton system (H + lambda I) x = g, with lambda raised until it is SPD.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/solver/cholesky_solve.hpp"

namespace hessnet {

enum class StepStatus {
  Ok,                 ///< x solves (H + lambda I) x = g with the returned lambda
  DampingCapReached,  ///< H + lambda I was not positive definite up to the cap
  NonFinite           ///< g or the solution held NaN/Inf: no step must be applied
};

struct DampingOptions {
  double factor = 10;        ///< lambda multiplier after a failed factorization
  int max_escalations = 12;  ///< lambda may grow to lambda * factor^max_escalations
  double from_zero = 1e-3;   ///< first lambda tried when escalating from 0
  double adaptive_floor = 1e-9;  ///< adaptive mode never lowers lambda below this
};

struct DampedSolve {
  StepStatus status = StepStatus::Ok;
  Vector step;          ///< x, replicated on every rank (empty unless Ok)
  double lambda = 0;    ///< the lambda that worked (or the last one tried)
  int escalations = 0;  ///< how many times lambda was raised
  int reassemblies = 0; ///< how many times H had to be rebuilt
  double seconds = 0;   ///< in factorizations and solves
};

/// A symmetric H held in both triangles of a DistMatrix, solved with increasing damping.
///
/// Cholesky (pdposv) overwrites the triangle it factors and the diagonal. The diagonal is
/// saved (O(N/P) per rank), and every factorization uses the triangle pdpotrf runs faster
/// on the grid (lower unless the grid has more process rows than columns). After a failed
/// factorization that triangle is copied back from the other, intact one (mirror_triangle,
/// each rank's share sent once), so one assembled H serves any number of retries; on one
/// rank the other triangle is factored instead. Only when neither triangle holds H (e.g. the
/// caller used one, mark_overwritten, and a factorization the other) does `reassemble` run.
class DampedSystem {
 public:
  using Log = std::function<void(const std::string&)>;

  /// `reassemble` must refill both triangles of `hessian` with H (collectively).
  DampedSystem(DistMatrix& hessian, std::function<void()> reassemble, DampingOptions options, Log log = {});

  /// Call after H was (re)assembled: saves its diagonal, marks both triangles intact.
  void reset();

  /// Local. Records that `triangle` (with the diagonal) no longer holds H, e.g. because an
  /// eigensolver reduced it in place after reset(): the next solve works from the other
  /// triangle and the diagonal saved by reset() before it needs to reassemble.
  void mark_overwritten(Triangle triangle);

  /// Collective. Solves \f$ (H + \lambda I) x = g \f$, multiplying lambda by the factor after
  /// each factorization that finds the matrix not positive definite (agreed on all ranks).
  /// @return Ok; DampingCapReached after max_escalations; NonFinite when g or x is not finite.
  DampedSolve solve(const Vector& gradient, double lambda);

 private:
  /// A triangle that still holds H, rebuilding H when neither does.
  Triangle intact_triangle(DampedSolve& result);
  void set_diagonal(double lambda);

  DistMatrix& hessian_;
  std::function<void()> reassemble_;
  DampingOptions options_;
  Log log_;
  std::vector<std::pair<std::size_t, double>> diagonal_;  // local offset, value of H
  bool lower_intact_ = false, upper_intact_ = false;
};

}  // namespace hessnet
