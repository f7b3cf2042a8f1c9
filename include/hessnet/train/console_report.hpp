// SPDX-License-Identifier: MIT
#pragma once
/// @file neupy's verbose output, as an observer of the training callbacks.
#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "hessnet/model/network.hpp"
#include "hessnet/optim/callbacks.hpp"
#include "hessnet/optim/option_list.hpp"

namespace hessnet {

/// Prints, on the rank it is told is the root: the options (sorted) and the network at
/// construction, the data shapes and epochs at train_start, a line per shown epoch
/// (`#12 : [35 ms] train: 0.104521, valid: 0.110212`), solver notes as `[ENGINE] ...` lines,
/// and why training stopped. Elsewhere it prints nothing. An optional progress stream (a
/// terminal) shows which epoch is updating, overwritten by the next line.
class ConsoleReport {
 public:
  ConsoleReport(std::ostream& out, bool root, int show_epoch);

  /// The construction block: algorithm, options and network.
  void banner(const OptionList& options, const Network& network);
  /// A line "[ENGINE] <line>".
  void note(const std::string& line);
  void set_progress_stream(std::ostream* stream) { progress_ = stream; }
  /// Callbacks that print the events above; they refer to this object, which must outlive them.
  TrainingCallbacks callbacks();

 private:
  void say(const std::string& line);
  void clear_progress();

  std::ostream& out_;
  std::ostream* progress_ = nullptr;
  bool root_;
  int show_epoch_;
  bool progress_pending_ = false;
  int first_epoch_ = 1, last_epoch_ = 1;
  std::chrono::steady_clock::time_point epoch_start_{};
  double train_loss_ = 0;
  std::optional<double> valid_loss_;
  /// The line of the last epoch when show_epoch skipped it: printed if training stops there.
  std::optional<std::string> unshown_line_;
};

}  // namespace hessnet
