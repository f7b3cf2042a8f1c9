// SPDX-License-Identifier: MIT
// Optimizer's checkpoint members: the state of the training loop to and from a Checkpoint.
#include <fmt/core.h>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/train/optimizer.hpp"

namespace hessnet {

Checkpoint Optimizer::checkpoint() const {
  Checkpoint c;
  c.options = options_;
  c.network = net_;
  if (iterate_) c.network.set_parameters(*iterate_);  // where the iteration continues, not the best model
  c.last_epoch = last_epoch_;
  c.n_updates_made = n_updates_;
  c.train_errors = errors_.train;
  c.valid_errors = errors_.valid;
  c.rule_state = rule_state();
  c.early_stopping = best_;
  c.shuffle_rng = shuffle_rng_.state();
  c.train_samples = objective_ ? objective_->shard().total : 0;
  return c;
}

void Optimizer::restore(const Checkpoint& checkpoint) {
  Random rng = shuffle_rng_;
  run_agreed(comm_, [&] {
    check_same_iteration(checkpoint.options, options_);
    const std::string saved = checkpoint.network.architecture().to_string(), now = net_.architecture().to_string();
    if (saved != now)
      throw InvalidArgument(
          fmt::format("cannot resume: the checkpoint has network \"{}\", this run \"{}\"", saved, now));
    if (static_cast<int>(checkpoint.train_errors.size()) != checkpoint.last_epoch)
      throw InvalidArgument(fmt::format("cannot resume: the checkpoint has {} training errors for {} epochs",
                                        checkpoint.train_errors.size(), checkpoint.last_epoch));
    const EarlyStopping& best = checkpoint.early_stopping;
    if (best.epoch > 0 && best.parameters.size() != net_.n_params())
      throw InvalidArgument(
          fmt::format("cannot resume: the checkpoint's best parameters have {} entries, the network {}",
                      best.parameters.size(), net_.n_params()));
    rng.restore(checkpoint.shuffle_rng);
  });
  net_.set_parameters(checkpoint.network.parameters());
  iterate_.reset();
  last_epoch_ = checkpoint.last_epoch;
  n_updates_ = checkpoint.n_updates_made;
  errors_.train = checkpoint.train_errors;
  errors_.valid = checkpoint.valid_errors;
  shuffle_rng_ = rng;
  restore_rule_state(checkpoint.rule_state);
  best_ = checkpoint.early_stopping;
  resumed_samples_ = checkpoint.train_samples;
}

void Optimizer::save_checkpoint(const std::string& path) const { hessnet::save_checkpoint(comm_, checkpoint(), path); }

Checkpoint Optimizer::restore_checkpoint(const std::string& path) {
  Checkpoint c = load_checkpoint(comm_, path);
  restore(c);
  return c;
}

}  // namespace hessnet
