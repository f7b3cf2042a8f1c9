// SPDX-License-Identifier: MIT
#include "hessnet/train/optimizer.hpp"

#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/train/metrics.hpp"
#include "hessnet/train/progress.hpp"
#include "hessnet/train/train_data.hpp"

namespace hessnet {
namespace {

/// Keeps the shuffling stream apart from the initialisation drawn from the same seed.
constexpr std::uint64_t k_shuffle_stream = 0x53485546464c45ULL;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string python_bool(bool value) { return value ? "True" : "False"; }

std::string regularizer_text(const Regularizer& r) {
  if (!r.active()) return "None";
  const char* kind = r.kind == RegularizerKind::L1 ? "l1" : r.kind == RegularizerKind::L2 ? "l2" : "maxnorm";
  return fmt::format("{}(decay_rate={}{})", kind, r.decay_rate, r.exclude_biases ? "" : ", biases included");
}

std::string signals_text(const Signals& s) {
  std::string out;
  const auto add = [&](bool set, const char* name) {
    if (set) out += (out.empty() ? "" : ", ") + std::string(name);
  };
  add(bool(s.train_start), "train_start");
  add(bool(s.epoch_start), "epoch_start");
  add(bool(s.update_start), "update_start");
  add(bool(s.train_error), "train_error");
  add(bool(s.update_end), "update_end");
  add(bool(s.valid_error), "valid_error");
  add(bool(s.epoch_end), "epoch_end");
  add(bool(s.train_end), "train_end");
  return out.empty() ? "None" : out;
}

void check_epochs(int epochs) {
  if (epochs <= 0) throw InvalidArgument(fmt::format("epochs must be > 0, got {}", epochs));
}

}  // namespace

int Signals::count() const {
  return int(bool(train_start)) + bool(epoch_start) + bool(update_start) + bool(train_error) +
         bool(update_end) + bool(valid_error) + bool(epoch_end) + bool(train_end);
}

void Optimizer::add_common_options(Settings& s, const std::string& loss_name) {
  s.options.emplace_back("loss", loss_name);
  s.options.emplace_back("regularizer", regularizer_text(s.regularizer));
  s.options.emplace_back("seed", std::to_string(s.seed));
  s.options.emplace_back("show_epoch", std::to_string(s.show_epoch));
  s.options.emplace_back("shuffle_data", python_bool(s.shuffle_data));
  s.options.emplace_back("signals", signals_text(s.signals));
  s.options.emplace_back("verbose", python_bool(s.verbose));
}

void Optimizer::check_show_epoch(int show_epoch) {
  if (show_epoch < 1) throw InvalidArgument(fmt::format("option show_epoch must be >= 1, got {}", show_epoch));
}

Optimizer::Optimizer(Network net, Settings settings, const Communicator& comm)
    : net_(std::move(net)),
      settings_(std::move(settings)),
      comm_(comm.dup()),
      shuffle_rng_(settings_.seed ^ k_shuffle_stream) {
  std::sort(settings_.options.begin(), settings_.options.end());
  say("Main information");
  say("");
  say("[ALGORITHM] " + settings_.algorithm);
  say("");
  for (const auto& [name, value] : settings_.options) say("[OPTION] " + name + " = " + value);
  say("");
  say(fmt::format("[NETWORK] {} ({} parameters)", net_.architecture().to_string(), net_.n_params()));
  say("");
}

Optimizer::~Optimizer() = default;

void Optimizer::say(const std::string& line) const {
  if (!settings_.verbose || !comm_.is_root()) return;
  if (progress_pending_) {
    std::cerr << "\r\033[K" << std::flush;
    progress_pending_ = false;
  }
  std::ostream& out = settings_.output != nullptr ? *settings_.output : std::cout;
  out << line << '\n';
  out.flush();
}

RowMatrix Optimizer::predict_rows(const RowMatrix& x) const { return net_.predict(x); }

double Optimizer::score(ConstRowMatrixRef x, ConstRowMatrixRef y) const {
  Shard data;
  run_agreed(comm_, [&] { data = shard_of(comm_, x, y); });
  return score(data);
}

double Optimizer::score(const Shard& data) const {
  check_shard(comm_, data, net_.inputs(), net_.outputs(), "the scored data");
  return shard_loss(comm_, net_, settings_.loss, data);
}

void Optimizer::train(ConstRowMatrixRef x_train, ConstRowMatrixRef y_train, ConstRowMatrixRef x_test,
                      ConstRowMatrixRef y_test, int epochs) {
  Shard train_data;
  std::optional<Shard> test_data;
  run_agreed(comm_, [&] {
    const bool has_x = x_test.size() > 0, has_y = y_test.size() > 0;
    if (has_x != has_y)
      throw InvalidArgument(std::string("X_test and y_test must be given together, got only ") +
                            (has_x ? "X_test" : "y_test"));
    check_epochs(epochs);
    train_data = shard_of(comm_, x_train, y_train);
    if (has_x) test_data = shard_of(comm_, x_test, y_test);
  });
  run(std::move(train_data), std::move(test_data), epochs);
}

void Optimizer::train(ConstRowMatrixRef x_train, ConstRowMatrixRef y_train, int epochs) {
  train(x_train, y_train, RowMatrix(), RowMatrix(), epochs);
}

void Optimizer::train(Shard train_data, int epochs) { run(std::move(train_data), std::nullopt, epochs); }

void Optimizer::train(Shard train_data, Shard test_data, int epochs) {
  run(std::move(train_data), std::move(test_data), epochs);
}

template <class Event, class Callback>
bool Optimizer::fire(const Callback& callback, const Event& event) {
  int code = 0;  // 0: carry on, 1: StopTraining, 2: another exception
  std::string message;
  if (callback) {
    try {
      callback(event);
    } catch (const StopTraining& stop) {
      code = 1;
      message = stop.what();
    } catch (const std::exception& e) {
      code = 2;
      message = e.what();
    } catch (...) {
      code = 2;
      message = "unknown exception";
    }
  }
  const int agreed = allreduce_max(comm_, code);  // an error outranks a stop
  if (agreed == 0) return true;
  const int from = allreduce_min(comm_, code == agreed ? comm_.rank() : comm_.size());
  message = broadcast(comm_, message, from);
  if (agreed == 2) throw CollectiveError("a training callback failed: " + message);
  stopped_ = true;
  stop_message_ = message;
  return false;
}

void Optimizer::run(Shard train_data, std::optional<Shard> test_data, int epochs) {
  run_agreed(comm_, [&] { check_epochs(epochs); });
  check_shard(comm_, train_data, net_.inputs(), net_.outputs(), "the training data");
  if (test_data) check_shard(comm_, *test_data, net_.inputs(), net_.outputs(), "the test data");
  train_ = std::move(train_data);
  test_ = std::move(test_data);
  position_of_.clear();  // the samples are in the order given
  stopped_ = false;
  stop_message_.clear();
  const int first = last_epoch_ + 1, last = last_epoch_ + epochs;

  say("Start training");
  say("");
  say(fmt::format("[TRAINING DATA] shapes: ({}, {})", train_->total, net_.inputs()));
  if (test_) say(fmt::format("[TEST DATA] shapes: ({}, {})", test_->total, net_.inputs()));
  say(fmt::format("[TRAINING] Total epochs: {}", epochs));
  say("");
  bool go = fire(settings_.signals.train_start,
                 TrainStart{*this, first, epochs, train_->total, test_ ? test_->total : 0});
  for (int epoch = first; go && epoch <= last; ++epoch) go = run_epoch(epoch, first, last);
  if (stopped_) say(fmt::format("Epoch #{} was stopped. Message: {}", last_epoch_, stop_message_));
  fire(settings_.signals.train_end, TrainEnd{*this, last_epoch_, stopped_, stop_message_});
}

void Optimizer::shuffle_training_data() {
  // The new order is drawn for the samples as given; `relative` moves them there from where
  // the last epoch left them, so the order depends on the generator's state alone.
  const std::vector<Index> order = random_permutation(train_->total, shuffle_rng_);
  std::vector<Index> relative = order;
  if (!position_of_.empty())
    for (Index& sample : relative) sample = position_of_[static_cast<std::size_t>(sample)];
  permute_samples(comm_, *train_, relative);
  position_of_.resize(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) position_of_[static_cast<std::size_t>(order[k])] = static_cast<Index>(k);
}

bool Optimizer::run_epoch(int epoch, int first, int last) {
  const Signals& signals = settings_.signals;
  last_epoch_ = epoch;
  const auto t0 = std::chrono::steady_clock::now();
  if (!fire(signals.epoch_start, EpochEvent{*this, epoch})) return false;
  if (settings_.shuffle_data) shuffle_training_data();
  if (!fire(signals.update_start, EpochEvent{*this, epoch})) return false;

  // While an update runs, a terminal shows which epoch it is in (cleared afterwards).
  if (settings_.verbose && comm_.is_root() && isatty(STDERR_FILENO) == 1) {
    std::cerr << "#" << epoch << " : updating " << net_.n_params() << " parameters..." << std::flush;
    progress_pending_ = true;
  }
  const UpdateReport report = update(*train_);
  if (progress_pending_) {
    std::cerr << "\r\033[K" << std::flush;
    progress_pending_ = false;
  }
  errors_.train.push_back(report.loss);
  if (report.status == StepStatus::Ok) ++n_updates_;
  if (!fire(signals.train_error, ErrorEvent{*this, report.loss, epoch, n_updates_, train_->total})) return false;
  if (!fire(signals.update_end, UpdateEnd{*this, epoch, report})) return false;
  if (report.status != StepStatus::Ok) {  // agreed: the engine's status is the same everywhere
    stopped_ = true;
    stop_message_ = report.message;
    if (!settings_.verbose && comm_.is_root())
      std::cerr << "hessnet: warning: epoch #" << epoch << ": " << report.message << "; training stopped\n";
    return false;
  }

  std::optional<double> valid;
  if (test_) {
    valid = shard_loss(comm_, net_, settings_.loss, *test_);
    errors_.valid.push_back(*valid);
    if (!fire(signals.valid_error, ErrorEvent{*this, *valid, epoch, n_updates_, test_->total})) return false;
  }
  if (is_shown_epoch(epoch, first, last, settings_.show_epoch))
    say(format_epoch_line(epoch, seconds_since(t0), report.loss, valid));
  return fire(signals.epoch_end, EpochEvent{*this, epoch});
}

}  // namespace hessnet
