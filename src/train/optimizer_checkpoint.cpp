// SPDX-License-Identifier: MIT
// Optimizer's checkpoint members: the state of the training loop to and from a Checkpoint.
#include <fmt/core.h>

#include <array>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/train/optimizer.hpp"

namespace hessnet {
namespace {

/// Options whose change would make a resumed run differ from an uninterrupted one.
constexpr std::array<const char*, 7> k_iteration_options = {"loss",     "regularizer", "penalty_const", "adaptive",
                                                            "step",     "min_eigval",  "shuffle_data"};

/// Throws InvalidArgument naming the first difference that forbids continuing `checkpoint`
/// with an optimizer of `algorithm`, `options` and `architecture`.
void check_compatible(const Checkpoint& checkpoint, const std::string& algorithm,
                      const std::map<std::string, std::string>& options, const Architecture& architecture) {
  const auto refuse = [](const std::string& what, const std::string& saved, const std::string& now) {
    throw InvalidArgument(fmt::format("cannot resume: the checkpoint has {} {}, this run {}", what, saved, now));
  };
  if (checkpoint.algorithm != algorithm) refuse("optimizer", checkpoint.algorithm, algorithm);
  const std::string saved_net = checkpoint.network.architecture().to_string();
  if (saved_net != architecture.to_string())
    refuse("network", fmt::format("\"{}\"", saved_net), fmt::format("\"{}\"", architecture.to_string()));
  for (const char* name : k_iteration_options) {
    const auto saved = checkpoint.options.find(name), now = options.find(name);
    const bool in_saved = saved != checkpoint.options.end(), in_now = now != options.end();
    if (in_saved != in_now || (in_saved && saved->second != now->second))
      refuse(std::string(name) + " =", in_saved ? saved->second : "(unset)", in_now ? now->second : "(unset)");
  }
}

}  // namespace

Checkpoint Optimizer::checkpoint() const {
  Checkpoint c;
  c.algorithm = settings_.algorithm;
  c.options.insert(settings_.options.begin(), settings_.options.end());
  c.network = net_;
  c.last_epoch = last_epoch_;
  c.n_updates_made = n_updates_;
  c.train_errors = errors_.train;
  c.valid_errors = errors_.valid;
  c.adaptive_lambda = damping_state();
  c.shuffle_rng = shuffle_rng_.state();
  c.train_samples = train_ ? train_->total : 0;
  return c;
}

void Optimizer::restore(const Checkpoint& checkpoint) {
  Random rng = shuffle_rng_;
  run_agreed(comm_, [&] {
    const std::map<std::string, std::string> options(settings_.options.begin(), settings_.options.end());
    check_compatible(checkpoint, settings_.algorithm, options, net_.architecture());
    if (static_cast<int>(checkpoint.train_errors.size()) != checkpoint.last_epoch)
      throw InvalidArgument(fmt::format("cannot resume: the checkpoint has {} training errors for {} epochs",
                                        checkpoint.train_errors.size(), checkpoint.last_epoch));
    rng.restore(checkpoint.shuffle_rng);
  });
  net_.set_parameters(checkpoint.network.parameters());
  last_epoch_ = checkpoint.last_epoch;
  n_updates_ = checkpoint.n_updates_made;
  errors_.train = checkpoint.train_errors;
  errors_.valid = checkpoint.valid_errors;
  shuffle_rng_ = rng;
  restore_damping_state(checkpoint.adaptive_lambda);
}

void Optimizer::save_checkpoint(const std::string& path) const { hessnet::save_checkpoint(comm_, checkpoint(), path); }

Checkpoint Optimizer::restore_checkpoint(const std::string& path) {
  Checkpoint c = load_checkpoint(comm_, path);
  restore(c);
  return c;
}

}  // namespace hessnet
