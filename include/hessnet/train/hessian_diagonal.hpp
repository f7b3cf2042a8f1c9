// SPDX-License-Identifier: MIT
#pragma once
/// @file Newton's method on the exact Hessian diagonal (neupy's `algorithms.HessianDiagonal`).
#include "hessnet/optim/options.hpp"
#include "hessnet/train/optimizer.hpp"

namespace hessnet {

/// One update per epoch on the whole training set:
/// \f$ \theta \leftarrow \theta - \eta\, g \odot \mathrm{clip}(1/\mathrm{diag}(H), -1/\mu, 1/\mu) \f$
/// with \f$ \eta \f$ = step and \f$ \mu \f$ = min_eigval. diag(H) is the true diagonal of
/// the exact Hessian of loss + regularizer (DistributedObjective::hessian_diagonal), computed without
/// forming H: memory O(N) per rank besides the data.
class HessianDiagonal : public Optimizer {
 public:
  /// Collective over `comm`. HeNormal weights from options.seed. Throws (agreed on all
  /// ranks) unless 0 < min_eigval <= 1, step > 0, show_epoch >= 1 and the loss is known.
  explicit HessianDiagonal(const Architecture& architecture, HessianDiagonalOptions options = {},
                           const Communicator& comm = Communicator());
  explicit HessianDiagonal(Network network, HessianDiagonalOptions options = {},
                           const Communicator& comm = Communicator());

  /// The options as given.
  const HessianDiagonalOptions& options() const { return options_; }

 protected:
  /// Collective. The objective's hessian_diagonal, then the clipped diagonal step;
  /// report.lambda is 0.
  UpdateReport update(DistributedObjective& objective) override;

 private:
  HessianDiagonalOptions options_;
};

}  // namespace hessnet
