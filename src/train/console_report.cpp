// SPDX-License-Identifier: MIT
#include "hessnet/train/console_report.hpp"

#include <fmt/core.h>

#include <utility>

#include "hessnet/core/stopwatch.hpp"
#include "hessnet/train/optimizer.hpp"
#include "hessnet/train/progress.hpp"

namespace hessnet {

ConsoleReport::ConsoleReport(std::ostream& out, bool root, int show_epoch)
    : out_(out), root_(root), show_epoch_(show_epoch) {}

void ConsoleReport::say(const std::string& line) {
  if (!root_) return;
  clear_progress();
  out_ << line << '\n';
  out_.flush();
}

void ConsoleReport::clear_progress() {
  if (!progress_pending_) return;
  *progress_ << "\r\033[K" << std::flush;
  progress_pending_ = false;
}

void ConsoleReport::banner(const OptionList& options, const Network& network) {
  say("Main information");
  say("");
  say("[ALGORITHM] " + options.algorithm);
  say("");
  for (const NamedOption& option : options.options)
    say("[OPTION] " + option.name + " = " + format_option_value(option.value));
  say("");
  say(fmt::format("[NETWORK] {} ({} parameters)", network.architecture().to_string(), network.n_params()));
  say("");
}

void ConsoleReport::note(const std::string& line) { say("[ENGINE] " + line); }

TrainingCallbacks ConsoleReport::callbacks() {
  TrainingCallbacks c;
  c.train_start = [this](const TrainStart& e) {
    first_epoch_ = e.first_epoch;
    last_epoch_ = e.first_epoch + e.epochs - 1;
    say("Start training");
    say("");
    const Index inputs = e.optimizer.network().inputs();
    say(fmt::format("[TRAINING DATA] shapes: ({}, {})", e.n_samples, inputs));
    if (e.n_test_samples > 0) say(fmt::format("[TEST DATA] shapes: ({}, {})", e.n_test_samples, inputs));
    say(fmt::format("[TRAINING] Total epochs: {}", e.epochs));
    say("");
  };
  c.epoch_start = [this](const EpochEvent&) {
    epoch_start_ = std::chrono::steady_clock::now();
    valid_loss_.reset();
    unshown_line_.reset();
  };
  c.update_start = [this](const EpochEvent& e) {
    if (!root_ || progress_ == nullptr) return;
    *progress_ << "#" << e.epoch << " : updating " << e.optimizer.network().n_params() << " parameters..."
               << std::flush;
    progress_pending_ = true;
  };
  c.train_error = [this](const ErrorEvent& e) { train_loss_ = e.value; };
  c.update_end = [this](const UpdateEnd& e) {
    if (root_) clear_progress();
    for (const std::string& line : e.report.notes) note(line);
  };
  c.valid_error = [this](const ErrorEvent& e) { valid_loss_ = e.value; };
  c.epoch_end = [this](const EpochEvent& e) {
    std::string line = format_epoch_line(e.epoch, seconds_since(epoch_start_), train_loss_, valid_loss_);
    if (is_shown_epoch(e.epoch, first_epoch_, last_epoch_, show_epoch_))
      say(line);
    else
      unshown_line_ = std::move(line);
  };
  c.train_end = [this](const TrainEnd& e) {
    if (unshown_line_) say(*std::exchange(unshown_line_, std::nullopt));  // a stop rule ended it early
    if (e.stopped) say(fmt::format("Epoch #{} was stopped. Message: {}", e.last_epoch, e.message));
  };
  return c;
}

}  // namespace hessnet
