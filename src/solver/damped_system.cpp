// SPDX-License-Identifier: MIT
#include "hessnet/solver/damped_system.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/dist_linalg.hpp"
#include "hessnet/dist/dist_vector.hpp"
#include "hessnet/dist/triangle_mirror.hpp"
#include "hessnet/solver/lanczos.hpp"

namespace hessnet {

class DampedSystem::Timed {
 public:
  explicit Timed(DampedSystem& system) : system_(system) { ++system_.timed_depth_; }
  ~Timed() {
    if (--system_.timed_depth_ == 0) system_.seconds_ += clock_.seconds();
  }
  Timed(const Timed&) = delete;
  Timed& operator=(const Timed&) = delete;

 private:
  DampedSystem& system_;
  const Stopwatch clock_;
};

namespace {

/// Lanczos steps that sharpen the bound of a failed factorization (products with H).
constexpr int k_lanczos_steps = 20;

}  // namespace

DampedSystem::DampedSystem(DistMatrix& hessian, DampingOptions options, Index mirror_width, FloatCholesky* single)
    : hessian_(hessian), options_(options), mirror_width_(std::max<Index>(mirror_width, 1)), single_(single) {}

void DampedSystem::reset(bool upper_holds_h) {
  diagonal_.clear();
  const double* base = hessian_.local_data();
  hessian_.for_each_local_diagonal([&](Index k, double& entry) {
    diagonal_.push_back({static_cast<std::size_t>(&entry - base), k, entry});
  });
  lower_intact_ = true;
  upper_intact_ = upper_holds_h;
  factored_.reset();
  single_factored_ = false;
  bounds_.reset();
}

void DampedSystem::mark_overwritten(Triangle triangle) {
  (triangle == Triangle::Lower ? lower_intact_ : upper_intact_) = false;
  if (factored_ == triangle) factored_.reset();
  if (!lower_intact_ && !upper_intact_) single_factored_ = false;
}

void DampedSystem::set_diagonal(double lambda) {
  double* base = hessian_.local_data();
  for (const DiagonalEntry& d : diagonal_) base[d.offset] = d.value + lambda;
}

template <class F>
void DampedSystem::with_hessian_diagonal(F&& f) {
  double* base = hessian_.local_data();
  std::vector<double> current(diagonal_.size());
  for (std::size_t k = 0; k < diagonal_.size(); ++k) current[k] = base[diagonal_[k].offset];
  set_diagonal(0);
  f();
  for (std::size_t k = 0; k < diagonal_.size(); ++k) base[diagonal_[k].offset] = current[k];
}

Triangle DampedSystem::triangle_to_factor() {
  HESSNET_CHECK(lower_intact_ || upper_intact_, "DampedSystem: neither triangle holds H (reset() not called?)");
  // Factor the triangle pdpotrf runs faster on this grid shape (N = 7510, nb = 128, one
  // thread per rank: on 1x2 'L' 1.96 s, 'U' 3.63 s; on 2x1 'U' 2.05-2.76 s, 'L' 2.60 s).
  const Triangle preferred = preferred_triangle(hessian_);
  if (lower_intact_ && upper_intact_) return preferred;
  // One copy of H left: copy it onto the other triangle first (an all-to-all of each rank's
  // share, far less than factoring in the slow orientation or reassembling), so that the
  // factorization leaves a source for further factorizations and products.
  mirror_triangle(hessian_, upper_intact_ ? MirrorDirection::UpperToLower : MirrorDirection::LowerToUpper,
                  mirror_width_);
  lower_intact_ = upper_intact_ = true;
  return preferred;
}

Factorization DampedSystem::factor(double lambda) {
  const Timed timed(*this);
  failed_fallback_.reset();
  Factorization f = single_ != nullptr ? factor_single(lambda) : factor_double(lambda);
  if (!f.positive_definite) found_indefinite_ = true;
  return f;
}

double DampedSystem::shifted_diagonal(Index k, double lambda) const {
  double value = 0;
  for (const DiagonalEntry& d : diagonal_)
    if (d.index == k) value = d.value + lambda;
  return allreduce_sum(hessian_.grid().communicator(), value);  // one owner
}

void DampedSystem::sharpen(Factorization& f, const FailureBound& minor) {
  // A few Lanczos steps on H from the minor's direction of negative curvature sharpen the
  // bound: their smallest Ritz value theta >= lambda_min(H), so H + sigma I is not positive
  // definite for sigma < -theta either. Each step is one product with H: O(N^2 / P).
  RitzPair ritz = lanczos_smallest([this](const Vector& v) { return multiply(v); }, minor.direction, k_lanczos_steps);
  f.lambda_bound = std::max(f.lambda + minor.shift, std::isfinite(ritz.value) ? -ritz.value : 0.0);
  f.direction = std::move(ritz.vector);
}

std::optional<Factorization> DampedSystem::probe_indefinite(double lambda) {
  const Timed timed(*this);
  // The same start on every rank (the products are collective).
  RitzPair ritz = lanczos_smallest([this](const Vector& v) { return multiply(v); },
                                   deterministic_unit_vector(hessian_.rows()), k_lanczos_steps);
  if (!std::isfinite(ritz.value) || ritz.value + lambda >= 0) return std::nullopt;
  found_indefinite_ = true;
  Factorization f;
  f.lambda = lambda;
  f.lambda_bound = -ritz.value;
  f.direction = std::move(ritz.vector);
  return f;
}

Factorization DampedSystem::factor_double(double lambda) {
  const Triangle triangle = triangle_to_factor();
  set_diagonal(lambda);
  const SolveResult result = cholesky_factor(hessian_, triangle);
  (triangle == Triangle::Lower ? lower_intact_ : upper_intact_) = false;
  Factorization f;
  f.lambda = lambda;
  factored_lambda_ = lambda;
  if (result.status == SolveStatus::Ok) {
    f.positive_definite = true;
    factored_ = triangle;
    single_factored_ = false;
    return f;
  }
  factored_.reset();
  f.minor = result.info;
  sharpen(f, cholesky_failure_bound(hessian_, triangle, result.info, shifted_diagonal(result.info - 1, lambda)));
  return f;
}

Factorization DampedSystem::factor_single(double lambda) {
  // The float32 copy comes from the triangle pdpotrf is fast on (restored from the other if
  // an eigensolve overwrote it, so the factor does not depend on that); H itself is not
  // touched. An intact lower triangle is used as it is, without filling the upper one (a
  // lower-only assembly): products use the lower triangle too, as they would have.
  const Triangle triangle =
      preferred_triangle(hessian_) == Triangle::Lower && lower_intact_ ? Triangle::Lower : triangle_to_factor();
  std::vector<std::pair<std::size_t, double>> diagonal;
  diagonal.reserve(diagonal_.size());
  for (const DiagonalEntry& d : diagonal_) diagonal.emplace_back(d.offset, d.value);
  const SolveResult result = single_->factor(hessian_, triangle, diagonal, lambda);
  factored_.reset();
  Factorization f;
  f.lambda = lambda;
  factored_lambda_ = lambda;
  if (result.status == SolveStatus::Ok) {
    f.positive_definite = true;
    single_factored_ = true;
    return f;
  }
  single_factored_ = false;
  f.minor = result.info;
  sharpen(f, single_->failure_bound(result.info, shifted_diagonal(result.info - 1, lambda)));
  return f;
}

Vector DampedSystem::solve_factored(const Vector& b) {
  const Timed timed(*this);
  Vector out;
  if (single_factored_) {
    if (std::optional<Vector> refined = refine(b)) {
      out = std::move(*refined);
    } else {
      // Refinement stalled (H + lambda I too ill-conditioned for float32): factor in float64.
      ++fallbacks_;
      Factorization f = factor_double(factored_lambda_);
      if (f.positive_definite) {
        out = solve_double(b);
      } else {
        out = Vector::Constant(b.size(), std::numeric_limits<double>::quiet_NaN());
        failed_fallback_ = std::move(f);
        found_indefinite_ = true;
      }
    }
  } else {
    out = solve_double(b);
  }
  return out;
}

Vector DampedSystem::solve_double(const Vector& b) {
  HESSNET_CHECK(factored_.has_value(), "DampedSystem::solve_factored: no successful factorization");
  DistVector x(hessian_.grid(), hessian_.rows(), hessian_.block_size());
  x.set_from_replicated(b);
  cholesky_solve_factored(hessian_, *factored_, x);
  return x.to_replicated();
}

std::optional<Vector> DampedSystem::refine(const Vector& b) {
  // LAPACK dsposv's iteration and test: x <- x + A^{-1}_32 (b - A x) with the residual in
  // float64 from H itself, until |r|_inf <= sqrt(N) |x|_inf |A|_inf eps, at most 30 times.
  const double lambda = factored_lambda_;
  const double norm = bounds().norm + std::abs(lambda);  // |A|_inf = |A|_1 for symmetric A
  const double tolerance = std::sqrt(static_cast<double>(b.size())) * norm * std::numeric_limits<double>::epsilon();
  Vector x = single_->solve(b);
  for (int k = 0; k < 30; ++k) {
    if (!x.allFinite()) return std::nullopt;
    const Vector r = b - multiply(x) - lambda * x;
    ++refinement_steps_;
    if (r.lpNorm<Eigen::Infinity>() <= tolerance * x.lpNorm<Eigen::Infinity>()) return x;
    x += single_->solve(r);
  }
  return std::nullopt;
}

Vector DampedSystem::half_solve(const Vector& b) {
  const Timed timed(*this);
  Vector out;
  if (single_factored_) {
    out = single_->half_solve(b);
  } else {
    HESSNET_CHECK(factored_.has_value(), "DampedSystem::half_solve: no successful factorization");
    DistVector x(hessian_.grid(), hessian_.rows(), hessian_.block_size());
    x.set_from_replicated(b);
    // H + lambda I = L L^T: L^{-1} b; = U^T U: U^{-T} b. Either way |.|^2 = b^T (H + lambda I)^{-1} b.
    triangular_solve(hessian_, *factored_, *factored_ == Triangle::Upper, hessian_.rows(), x);
    out = x.to_replicated();
  }
  return out;
}

Vector DampedSystem::multiply(const Vector& v) {
  HESSNET_CHECK(lower_intact_ || upper_intact_, "DampedSystem::multiply: neither triangle holds H");
  const Timed timed(*this);
  const Triangle intact = lower_intact_ ? Triangle::Lower : Triangle::Upper;
  DistVector x(hessian_.grid(), hessian_.rows(), hessian_.block_size());
  DistVector y(hessian_.grid(), hessian_.rows(), hessian_.block_size());
  x.set_from_replicated(v);
  with_hessian_diagonal([&] { symv(intact, 1.0, hessian_, x, 0.0, y); });
  Vector out = y.to_replicated();
  return out;
}

const DampedSystem::Bounds& DampedSystem::bounds() {
  if (bounds_) return *bounds_;
  HESSNET_CHECK(lower_intact_ || upper_intact_, "DampedSystem::bounds: neither triangle holds H");
  const Communicator& comm = hessian_.grid().communicator();
  // Row sums of |H| from one intact triangle: an entry (i, j), i != j, counts in rows i and
  // j; the diagonal comes from the saved values. One pass over the local array, one
  // allreduce of N sums.
  const bool lower = lower_intact_;
  Vector sums = Vector::Zero(hessian_.rows());
  hessian_.for_each_local_tile([&](Index r0, Index c0, Index rows, Index cols, const double* tile, Index ld) {
    for (Index j = 0; j < cols; ++j)
      for (Index i = 0; i < rows; ++i) {
        const Index gi = r0 + i, gj = c0 + j;
        if (lower ? gi > gj : gi < gj) {
          const double v = std::abs(tile[i + j * ld]);
          sums[gi] += v;
          sums[gj] += v;
        }
      }
  });
  double low = std::numeric_limits<double>::infinity(), high = 0;
  for (const DiagonalEntry& d : diagonal_) {
    sums[d.index] += std::abs(d.value);
    low = std::min(low, d.value);
    high = std::max(high, std::abs(d.value));
  }
  allreduce_sum(comm, sums);
  Bounds b;
  b.norm = sums.size() > 0 ? sums.maxCoeff() : 0.0;
  b.min_diagonal = allreduce_min(comm, low);
  b.max_abs_diagonal = allreduce_max(comm, high);
  bounds_ = b;
  return *bounds_;
}

double DampedSystem::next_lambda(const Factorization& failed, int escalations, double margin) {
  // The bound plus the margin: if the bound is tight, the smallest eigenvalue of H + next I
  // is the margin. Should the bound be weak, lambda also at least doubles from the second
  // escalation on, then quadruples, ... so that any scale is reached in a few steps.
  const double floor = std::max(options_.from_zero * 1e-3, 1e-10 * bounds().max_abs_diagonal);
  const double geometric = escalations >= 1 ? failed.lambda * std::ldexp(1.0, std::min(escalations, 60)) : 0.0;
  return std::max({failed.lambda_bound + std::max(margin, floor), geometric, failed.lambda + floor});
}

DampedSolve DampedSystem::solve(const Vector& gradient, double lambda) {
  DampedSolve result;
  result.lambda = lambda;
  if (!gradient.allFinite()) {  // replicated: every rank takes the same branch
    result.status = StepStatus::NonFinite;
    return result;
  }
  const double start = seconds_;
  // Probed once per update: later solves (at a larger lambda after a rejected step) follow a
  // factorization that already told.
  bool probe = std::exchange(probe_, false) && hessian_.rows() >= options_.probe_min_order;
  for (;; probe = false) {
    std::optional<Factorization> probed = probe ? probe_indefinite(result.lambda) : std::nullopt;
    Factorization f = probed ? std::move(*probed) : factor(result.lambda);
    if (!probed) ++result.factorizations;
    if (f.positive_definite) {
      result.step = solve_factored(gradient);
      if (failed_fallback_) {  // float32 factored H + lambda I, float64 found it indefinite: escalate
        f = *failed_fallback_;
        ++result.factorizations;
      } else {
        result.status = result.step.allFinite() ? StepStatus::Ok : StepStatus::NonFinite;
        if (result.status != StepStatus::Ok) result.step.resize(0);
        break;
      }
    }
    if (result.escalations == options_.max_escalations) {
      result.status = StepStatus::DampingCapReached;
      break;
    }
    // Twice the shift that makes H positive semidefinite, plus the damping asked for: the most
    // negative curvature -mu then counts as +mu (as in saddle-free Newton), so the step along
    // it stays as long as along a positive curvature of the same size.
    const double margin = std::max(f.lambda_bound, 0.0) + (lambda > 0 ? lambda : options_.from_zero);
    const double next = next_lambda(f, result.escalations, margin);
    result.notes.push_back(
        fmt::format("H + {:g} I is not positive definite ({}: lambda must exceed {:g}); retrying "
                    "with lambda {:g}",
                    result.lambda,
                    f.minor > 0 ? fmt::format("leading minor {}", f.minor) : std::string("Lanczos, without factoring"),
                    f.lambda_bound, next));
    result.lambda = next;
    ++result.escalations;
  }
  result.seconds = seconds_ - start;
  return result;
}

}  // namespace hessnet
