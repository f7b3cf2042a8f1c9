// SPDX-License-Identifier: MIT
#pragma once
/// @file One damped Newton update of a network on data sharded over MPI ranks.
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/memory_plan.hpp"
#include "hessnet/solver/damped_solve.hpp"

namespace hessnet {

struct EngineOptions {
  std::string grid = "auto";  ///< "PxQ" or "auto" (as square as the rank count allows)
  Index block_size = 128;     ///< nb of the block-cyclic layout
  AssemblyOptions assembly = {};
  DampingOptions damping = {};
  /// Levenberg-Marquardt acceptance: keep a step only if the loss went down, lowering
  /// lambda by damping.factor after a success and raising it after a failure.
  bool adaptive = false;
  /// Before each update, the smallest eigenvalue of the undamped H, in
  /// UpdateReport::min_eigenvalue: a full distributed eigensolve (pdsyev, O(N^3), several
  /// times a Cholesky factorization) on H's lower triangle, which it overwrites; the damped
  /// solve then starts from the upper triangle, so no extra N x N memory is needed.
  bool log_curvature = false;
};

/// What one update did, for logs and benchmarks.
struct UpdateReport {
  StepStatus status = StepStatus::Ok;
  double loss = 0;        ///< objective at the parameters before the update
  double lambda = 0;      ///< damping of the applied step
  int escalations = 0;    ///< lambda raises (failed factorizations or rejected steps)
  /// Smallest eigenvalue of H (without damping) at the parameters before the update, with
  /// EngineOptions::log_curvature; NaN otherwise, or when H is not finite.
  double min_eigenvalue = std::numeric_limits<double>::quiet_NaN();
  double seconds_kernel = 0, seconds_reduce = 0, seconds_solve = 0, seconds_total = 0;
  double seconds_curvature = 0;  ///< in the eigensolve of log_curvature (part of seconds_total)
  std::string message;    ///< why the step was not applied, when status != Ok
};

/// Owns the BLACS grid and the distributed Hessian across epochs; no rank ever holds N x N.
class NewtonEngine {
 public:
  using Log = std::function<void(const std::string&)>;

  /// Collective. Plans memory for an n_params x n_params Hessian and refuses (InvalidArgument
  /// on every rank) when it exceeds what each rank may use; `log` hears the plan on rank 0.
  NewtonEngine(const Communicator& comm, Index n_params, EngineOptions options, const Log& log = {});
  ~NewtonEngine();

  const MemoryPlan& plan() const { return plan_; }
  const BlacsGrid& grid() const { return *grid_; }
  DistMatrix& hessian() { return *hessian_; }

  /// Collective. theta <- theta - (H + lambda I)^{-1} g at the network's parameters, with
  /// lambda = `penalty` raised as needed (and kept across calls in adaptive mode). The
  /// parameters are unchanged unless the status is Ok.
  UpdateReport update(Network& net, const Loss& loss, const Regularizer& regularizer,
                      const Shard& shard, double penalty);

  /// Collective. Loss, gradient and the Hessian in hessian(), without a step.
  Evaluation evaluate(const Network& net, const Loss& loss, const Regularizer& regularizer,
                      const Shard& shard);

  /// Damping the adaptive mode will start the next update with.
  double adaptive_lambda() const { return adaptive_lambda_; }
  void set_adaptive_lambda(double lambda) { adaptive_lambda_ = lambda; }

 private:
  /// Collective. Smallest eigenvalue of the H just assembled, from its lower triangle, which
  /// it then marks overwritten in `system`; NaN when `evaluation` is not finite.
  double smallest_curvature(const Evaluation& evaluation, DampedSystem& system, UpdateReport& report);

  Communicator comm_;
  EngineOptions options_;
  Log log_;
  MemoryPlan plan_;
  std::unique_ptr<BlacsGrid> grid_;
  std::unique_ptr<DistMatrix> hessian_;
  double adaptive_lambda_ = -1;  // < 0: not started
};

}  // namespace hessnet
