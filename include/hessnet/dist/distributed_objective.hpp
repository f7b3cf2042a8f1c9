// SPDX-License-Identifier: MIT
#pragma once
/// @file The training objective over the data of all ranks: value, gradient, exact Hessian
/// and its diagonal, at any parameter vector. The seam between the optimizers and the kernels.
#include <cstddef>
#include <vector>

#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/optim/options.hpp"

namespace hessnet {

/// The objective (loss + regularizer) and gradient at a parameter vector, replicated on every rank.
struct Evaluation {
  double loss = 0;       ///< data loss + regularizer
  double data_loss = 0;  ///< without the regularizer
  Vector gradient;
  double seconds_kernel = 0;  ///< local forward/backward and Hessian panels or diagonal
  double seconds_reduce = 0;  ///< summing over the ranks
  /// Of seconds_reduce: in the Hessian panels' exchange, adds included (overlapped: the part
  /// not hidden behind the kernel; PanelAssemblyTimes::exchange). 0 without a Hessian.
  double seconds_exchange = 0;
  /// Loss and gradient finite (the same answer on every rank: the values are replicated).
  bool finite() const { return std::isfinite(loss) && gradient.allFinite(); }
};

/// An Evaluation with the diagonal of the exact Hessian (length N, replicated).
struct DiagonalEvaluation : Evaluation {
  Vector diagonal;
};

/// f(theta) = r(inner loss over every sample of every rank) + regularizer(theta) for a fixed
/// network architecture, loss, regularizer and sharded data set.
///
/// Every member that takes theta is collective over the communicator: all ranks call it in
/// the same order with the same theta (a replicated vector of length n_params()). No rank
/// holds more than its shard of the data and its block-cyclic share of H.
class DistributedObjective {
 public:
  /// Local. `network` gives the architecture; its parameters are replaced by each call's theta.
  DistributedObjective(const Communicator& comm, Network network, Loss loss, Regularizer regularizer, Shard shard);

  Index n_params() const { return network_.n_params(); }
  const Communicator& communicator() const { return comm_; }
  /// The network at the theta of the last evaluation.
  const Network& network() const { return network_; }
  const Loss& loss() const { return loss_; }
  const Regularizer& regularizer() const { return regularizer_; }
  /// This rank's block of the samples.
  const Shard& shard() const { return shard_; }

  /// Collective. Reorders the samples of all ranks (permute_samples): the objective is the same
  /// up to rounding, the order of the sums changes.
  void permute(const std::vector<Index>& permutation);

  /// Collective. f(theta) and the data loss, from a forward pass per rank and one allreduce.
  Evaluation value(const Vector& theta);
  /// Collective. f(theta) and its gradient: one forward and backward pass per rank, one allreduce.
  Evaluation gradient(const Vector& theta);
  /// Collective over H's grid. As gradient(), and sets both triangles of `h` to the exact
  /// Hessian of f: every rank adds its shard's panels (HessianKernel), the panels are summed
  /// into h's block-cyclic layout (assemble_symmetric) in panels of assembly_width columns,
  /// then the terms that couple all samples (sqrt losses, l2) are applied to the owned tiles.
  Evaluation hessian(const Vector& theta, DistMatrix& h, const AssemblyOptions& options);
  /// Collective over G's grid. As hessian(), with the generalised Gauss-Newton matrix
  /// \f$ G = r'(v) \sum_s J_s^T M_s J_s + \mathrm{diag}(R'') \f$ in place of H (J_s the Jacobian
  /// of sample s's outputs, M_s = max(d2l/do2, 0) elementwise: positive semidefinite), by
  /// the same kernel and assembly (Curvature::GaussNewton).
  Evaluation gauss_newton(const Vector& theta, DistMatrix& g, const AssemblyOptions& options);
  /// Collective. As gradient(), with the exact diagonal of the Hessian computed without
  /// forming H (inner_hessian_diagonal): O(N) memory per rank besides the data.
  DiagonalEvaluation hessian_diagonal(const Vector& theta, std::size_t chunk_bytes);

 private:
  /// The objective from the inner loss and gradient of this rank's shard, summed over ranks.
  ObjectiveTerms reduce_terms(const ShardState& state);
  /// hessian() and gauss_newton(): the curvature matrix of the given kind into `h`.
  Evaluation assemble(const Vector& theta, DistMatrix& h, const AssemblyOptions& options, Curvature curvature);

  Communicator comm_;
  Network network_;
  Loss loss_;
  Regularizer regularizer_;
  Shard shard_;
};

/// Collective. The loss (root included, no regularizer) of `net` on the samples of all ranks:
/// each rank sums its shard's per-sample losses, one allreduce adds them.
double data_loss(const Communicator& comm, const Network& net, const Loss& loss, const Shard& data);

/// Collective. Throws InvalidArgument "WHAT: <problem>" on every rank when a target of `shard`
/// lies outside `loss`'s domain (Loss::target_outside_domain), where its loss would be NaN.
void require_targets_in_domain(const Communicator& comm, const Loss& loss, const Shard& shard, const std::string& what);

/// Collective. Throws InvalidArgument "the loss|gradient|Hessian is not finite (NaN or
/// overflow from the data or weights): nothing written" on every rank when e (and h, when
/// given) holds a NaN or an infinity anywhere: checked before anything is written or factored.
void require_finite_evaluation(const Communicator& comm, const Evaluation& e, const DistMatrix* h = nullptr);

}  // namespace hessnet
