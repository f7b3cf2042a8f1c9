// SPDX-License-Identifier: MIT
#pragma once
/// @file Training events and the callbacks that hear them (neupy's `signals`). No MPI here:
/// the optimizer fires them on every rank and agrees on their outcome.
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

#include "hessnet/core/types.hpp"
#include "hessnet/optim/update_report.hpp"

namespace hessnet {

class Optimizer;

/// Thrown by a callback to end training early, as in neupy: `throw StopTraining{"enough"}`.
/// Training then ends cleanly on every rank (see TrainingCallbacks), and train() returns normally.
class StopTraining : public std::runtime_error {
 public:
  /// `reason` becomes Optimizer::stop_reason(): "callback" unless the thrower has a key of its
  /// own (the CLI's "signal", so that a preempted run can be told from a callback's stop).
  explicit StopTraining(const std::string& message, std::string reason = "callback")
      : std::runtime_error(message), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

/// train_start: once per train() call, before the first epoch.
struct TrainStart {
  const Optimizer& optimizer;
  int first_epoch;       ///< last_epoch + 1
  int epochs;            ///< epochs this call will run unless stopped
  Index n_samples;       ///< training samples over all ranks
  Index n_test_samples;  ///< test samples over all ranks (0 without test data)
};

/// epoch_start, update_start and epoch_end.
struct EpochEvent {
  const Optimizer& optimizer;
  int epoch;
};

/// train_error and valid_error: a loss, with neupy's (value, epoch, n_updates, n_samples).
struct ErrorEvent {
  const Optimizer& optimizer;
  double value;  ///< train: objective before the update; valid: loss after it (no regularizer)
  int epoch;
  Index n_updates;  ///< n_updates_made after this epoch's update
  Index n_samples;  ///< samples the value is over (all ranks)
};

/// update_end: what the update did (damping, escalations, timings, status).
struct UpdateEnd {
  const Optimizer& optimizer;
  int epoch;
  const UpdateReport& report;
};

/// train_end: once per train() call, also after an early stop.
struct TrainEnd {
  const Optimizer& optimizer;
  int last_epoch;
  bool stopped;         ///< ended early (StopTraining or an update that could not be applied)
  std::string message;  ///< why it stopped, empty otherwise
};

/// Callbacks on training events, fired in this order for each epoch:
/// train_start (once), then per epoch epoch_start, update_start, train_error, update_end,
/// valid_error (only with test data), epoch_end, and train_end (once, at the end).
///
/// Under MPI every callback runs on every rank, with the same arguments. After each event
/// the ranks agree (one allreduce) on whether any callback threw: a StopTraining on any rank
/// stops training on all ranks; any other exception on any rank makes every rank throw a
/// CollectiveError with the lowest failing rank's message. A callback may therefore call
/// collectives (e.g. Optimizer::score) only if it is installed on every rank.
struct TrainingCallbacks {
  std::function<void(const TrainStart&)> train_start = {};
  std::function<void(const EpochEvent&)> epoch_start = {};
  std::function<void(const EpochEvent&)> update_start = {};
  std::function<void(const ErrorEvent&)> train_error = {};
  std::function<void(const UpdateEnd&)> update_end = {};
  std::function<void(const ErrorEvent&)> valid_error = {};
  std::function<void(const EpochEvent&)> epoch_end = {};
  std::function<void(const TrainEnd&)> train_end = {};
};

}  // namespace hessnet
