// SPDX-License-Identifier: MIT
#pragma once
/// @file Accuracy of a network on data sharded over the ranks (the loss: data_loss).
#include <optional>

#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/model/network.hpp"

namespace hessnet {

/// Correct predictions out of the samples of all ranks.
struct Accuracy {
  Index correct = 0;
  Index total = 0;
  double fraction() const { return total > 0 ? static_cast<double>(correct) / static_cast<double>(total) : 0.0; }
};

/// Collective. Classification accuracy of `net` on the samples of all ranks: with more than
/// one output, argmax of the prediction against argmax of the target (one-hot or scores);
/// with one output and every target 0 or 1, the prediction thresholded at 0.5. Otherwise
/// (a regression target) nullopt, on every rank.
std::optional<Accuracy> shard_accuracy(const Communicator& comm, const Network& net, const Shard& data);

}  // namespace hessnet
