// SPDX-License-Identifier: MIT
#pragma once
/// @file Standardizing the inputs for training, folded into the first layer for saving.
#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/model/network.hpp"

namespace hessnet {

/// How inputs are scaled: to zero mean and unit variance, or by the largest magnitude of
/// each column (to [-1, 1], keeping zeros and sparsity).
enum class ScalingKind { Standard, MaxAbs };

/// Parses "standard" or "maxabs"; throws InvalidArgument naming the text.
ScalingKind parse_scaling_kind(const std::string& text);

/// x' = (x - mean) / scale per input column. Constant (or all-zero) columns keep scale 1.
struct InputScaling {
  Vector mean, scale;

  /// Collective: the statistics of every input column over the samples of all ranks (one
  /// or two allreduces of n_in values).
  static InputScaling of_training_data(const Communicator& comm, const Shard& shard, ScalingKind kind);

  /// In place: inputs become (inputs - mean) / scale.
  void apply(RowMatrix& inputs) const;

  /// The network on scaled inputs that computes what `raw` computes on raw ones:
  /// W' = diag(scale) W, b' = b + W^T mean (the first layer changes, nothing else).
  Network for_scaled_inputs(const Network& raw) const;
  /// The inverse: a network trained on scaled inputs, rewritten to take raw inputs, so a
  /// saved model needs no preprocessing: W = diag(1/scale) W', b = b' - W^T mean.
  Network for_raw_inputs(const Network& scaled) const;
};

}  // namespace hessnet
