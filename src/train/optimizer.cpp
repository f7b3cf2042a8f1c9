// SPDX-License-Identifier: MIT
#include "hessnet/train/optimizer.hpp"

#include <fmt/core.h>

#include <chrono>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include "hessnet/core/busy_cores.hpp"
#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/train/console_report.hpp"

namespace hessnet {
namespace {

/// Keeps the shuffling stream apart from the initialisation drawn from the same seed.
constexpr std::uint64_t k_shuffle_stream = 0x53485546464c45ULL;

/// The options that decide what every rank computes, one "name = value" line each (verbose
/// output and callbacks may differ between ranks).
std::map<std::string, std::string> shared_options(const OptionList& options) {
  std::map<std::string, std::string> shared{{"optimizer", options.algorithm}};
  for (const NamedOption& o : options.options)
    if (o.name != "verbose" && o.name != "signals" && o.name != "show_epoch")
      shared[o.name] = format_option_value(o.value);
  return shared;
}

std::string lines_of(const std::map<std::string, std::string>& options) {
  std::string text;
  for (const auto& [name, value] : options) text += name + " = " + value + '\n';
  return text;
}

/// Collective. Ranks given different options or networks (a script that computes them per
/// rank) would run different collectives and wait forever, or train one objective mixed from
/// several: every rank throws the same CollectiveError naming the first difference.
void require_same_setup(const Communicator& comm, const OptionList& options, const Network& net) {
  // Before the comparison, which serializes the network: a NaN or an infinity is the user's
  // error, told alike on every rank, not a failed save on the ranks that hold it.
  run_agreed(comm, [&] { net.require_finite_parameters("the network to train"); });
  const auto mine = shared_options(options);
  const std::string text = lines_of(mine);
  const int differing = first_rank_differing(comm, text + model_to_json(net));
  if (differing == comm.size()) return;
  const std::string root_text = broadcast(comm, text, 0);
  std::string difference = "another network (architecture or parameters) than rank 0";
  if (comm.rank() == differing && root_text != text) {
    std::map<std::string, std::string> root;
    std::istringstream in(root_text);
    for (std::string line; std::getline(in, line);) {
      const auto cut = line.find(" = ");
      root[line.substr(0, cut)] = line.substr(cut + 3);
    }
    auto names = mine;
    names.insert(root.begin(), root.end());
    for (const auto& [name, unused] : names) {
      const auto value = [&](const std::map<std::string, std::string>& m) {
        const auto it = m.find(name);
        return it == m.end() ? std::string("(unset)") : it->second;
      };
      if (value(mine) == value(root)) continue;
      difference = fmt::format("{} = {} where rank 0 has {}", name, value(mine), value(root));
      break;
    }
  }
  throw CollectiveError(
      fmt::format("rank {} has {}: every rank must make the optimizer with the same options and "
                  "network",
                  differing, broadcast(comm, difference, differing)));
}

}  // namespace

Optimizer::Optimizer(Network net, OptionList options, Settings settings, const Communicator& comm)
    : net_(std::move(net)),
      options_(std::move(options)),
      settings_(std::move(settings)),
      comm_(comm.dup()),
      shuffle_rng_(settings_.seed ^ k_shuffle_stream) {
  require_same_setup(comm_, options_, net_);
  if (!settings_.verbose) return;
  std::ostream& out = settings_.output != nullptr ? *settings_.output : std::cout;
  console_ = std::make_unique<ConsoleReport>(out, comm_.is_root(), settings_.show_epoch);
  console_->banner(options_, net_);
  printing_ = console_->callbacks();
}

void Optimizer::set_parameters(const Vector& theta) {
  Network next = net_;
  run_agreed(comm_, [&] { next.set_parameters(theta); });
  require_same_setup(comm_, options_, next);  // finite, and the same on every rank
  net_ = std::move(next);
  iterate_.reset();         // the given parameters, not an early-stopped iteration, are continued
  best_ = EarlyStopping{};  // nor the best of before, which early stopping would hand back
}

Optimizer::~Optimizer() = default;

OptionList Optimizer::agreed_options(const Communicator& comm, const std::function<OptionList()>& check) {
  OptionList options;
  run_agreed(comm, [&] { options = check(); });
  return options;
}

void Optimizer::note(const std::string& line) const {
  if (console_) console_->note(line);
}

void Optimizer::show_progress_on(std::ostream* stream) {
  if (console_) console_->set_progress_stream(stream);
}

double Optimizer::score(ConstRowMatrixRef x, ConstRowMatrixRef y) const {
  Shard data;
  run_agreed(comm_, [&] { data = shard_of(comm_, x, y); });
  return score(data);
}

double Optimizer::score(const Shard& data) const {
  check_shard(comm_, data, net_.inputs(), net_.outputs(), "the scored data");
  require_targets_in_domain(comm_, settings_.loss, data, "the scored data");
  return data_loss(comm_, net_, settings_.loss, data);
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

template <class Event>
bool Optimizer::fire(std::function<void(const Event&)> TrainingCallbacks::*member, const Event& event) {
  int code = 0;  // 0: carry on, 1: StopTraining, 2: another exception, 3: an error agreed already
  std::string message, reason;
  try {
    if (const auto& print = printing_.*member) print(event);
    if (const auto& callback = settings_.signals.*member) callback(event);
  } catch (const StopTraining& stop) {
    code = 1;
    message = stop.what();
    reason = stop.reason();
  } catch (const CollectiveError& e) {  // e.g. a file write the ranks agreed on: its message says it all
    code = 3;
    message = e.what();
  } catch (const std::exception& e) {
    code = 2;
    message = e.what();
  } catch (...) {
    code = 2;
    message = "unknown exception";
  }
  const int agreed = allreduce_max(comm_, code);  // an error outranks a stop
  if (agreed == 0) return true;
  const int from = allreduce_min(comm_, code == agreed ? comm_.rank() : comm_.size());
  message = broadcast(comm_, message, from);
  if (agreed == 3) throw CollectiveError(message);
  if (agreed == 2) throw CollectiveError("a training callback failed: " + message);
  return stop(broadcast(comm_, reason, from), message);
}

bool Optimizer::stop(const std::string& reason, const std::string& message) {
  stopped_ = true;
  stop_reason_ = reason;
  stop_message_ = message;
  return false;
}

void Optimizer::track_best(int epoch, double valid) {
  if (settings_.max_fail <= 0) return;
  if (best_.epoch == 0 || valid < best_.valid) {  // the values are replicated: every rank agrees
    best_ = EarlyStopping{epoch, valid, net_.parameters(), 0};
  } else {
    ++best_.fails;
  }
}

void Optimizer::run(Shard train_data, std::optional<Shard> test_data, int epochs) {
  run_agreed(comm_, [&] {
    check_epochs(epochs);
    if (epochs > std::numeric_limits<int>::max() - last_epoch_)
      throw InvalidArgument(fmt::format("epochs {} after epoch {} would pass the last epoch number {}", epochs,
                                        last_epoch_, std::numeric_limits<int>::max()));
    if (settings_.max_fail > 0 && !test_data)  // early stopping would silently never happen
      throw InvalidArgument("max_fail needs validation data: train(x, y, x_valid, y_valid)");
    if (resumed_samples_ > 0 && train_data.total != resumed_samples_)
      throw InvalidArgument(
          fmt::format("cannot resume: the checkpoint was trained on {} samples, this training set "
                      "has {}",
                      resumed_samples_, train_data.total));
  });
  const bool resumed = resumed_samples_ > 0;
  resumed_samples_ = 0;  // later train() calls may take other data, as in neupy
  check_shard(comm_, train_data, net_.inputs(), net_.outputs(), "the training data");
  if (test_data) {
    check_shard(comm_, *test_data, net_.inputs(), net_.outputs(), "the test data");
    // A validation loss outside the loss's domain would be NaN, and early stopping blind.
    require_targets_in_domain(comm_, settings_.loss, *test_data, "the test data");
  }
  if (iterate_) net_.set_parameters(*std::exchange(iterate_, std::nullopt));  // continue the iteration
  objective_.emplace(comm_, net_, settings_.loss, settings_.regularizer, std::move(train_data));
  test_ = std::move(test_data);
  position_of_.clear();  // the samples are in the order given
  stopped_ = false;
  stop_message_.clear();
  stop_reason_ = "epochs";
  const int first = last_epoch_ + 1, last = last_epoch_ + epochs;
  const Index total = objective_->shard().total;
  // The time limit counts from here; every rank uses rank 0's clock (see run_epoch).
  const double started =
      broadcast(comm_, std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
  bool go = fire(&TrainingCallbacks::train_start, TrainStart{*this, first, epochs, total, test_ ? test_->total : 0});
  if (go && resumed) go = checkpoint_allows_training();
  for (int epoch = first; go && epoch <= last; ++epoch) go = run_epoch(epoch, started);
  // Early stopping hands back the model of the best validation loss.
  if (settings_.max_fail > 0 && best_.epoch > 0 && best_.parameters.size() == net_.n_params() &&
      best_.parameters != net_.parameters()) {
    note(fmt::format("restored the parameters of epoch {} (best validation loss {:.6g})", best_.epoch, best_.valid));
    iterate_ = net_.parameters();
    net_.set_parameters(best_.parameters);
  }
  fire(&TrainingCallbacks::train_end, TrainEnd{*this, last_epoch_, stopped_, stop_message_});
}

void Optimizer::shuffle_training_data() {
  // The new order is drawn for the samples as given; `relative` moves them there from where
  // the last epoch left them, so the order depends on the generator's state alone.
  const std::vector<Index> order = random_permutation(objective_->shard().total, shuffle_rng_);
  std::vector<Index> relative = order;
  if (!position_of_.empty())
    for (Index& sample : relative) sample = position_of_[static_cast<std::size_t>(sample)];
  objective_->permute(relative);
  position_of_.resize(order.size());
  for (std::size_t k = 0; k < order.size(); ++k)
    position_of_[static_cast<std::size_t>(order[k])] = static_cast<Index>(k);
}

std::optional<std::string> Optimizer::goal_met(double loss) const {
  if (!(loss <= settings_.goal)) return std::nullopt;
  return fmt::format("goal reached: training loss {:.6g} <= {:g}", loss, settings_.goal);
}

std::optional<std::string> Optimizer::max_fail_met() const {
  if (settings_.max_fail <= 0 || best_.fails < settings_.max_fail) return std::nullopt;
  return fmt::format("validation loss not improved for {} epochs (best {:.6g} at epoch {})", best_.fails, best_.valid,
                     best_.epoch);
}

bool Optimizer::checkpoint_allows_training() {
  // Resubmitting the job of a run that a rule had ended must not train on past the stop (and
  // past the best model early stopping handed back); a rule with a looser value goes on.
  constexpr const char* k_already = " by the checkpoint's last epoch: nothing to train";
  if (const auto met = max_fail_met()) return stop("max_fail", *met + k_already);
  if (!errors_.train.empty())
    if (const auto met = goal_met(errors_.train.back())) return stop("goal", *met + k_already);
  return true;
}

bool Optimizer::run_epoch(int epoch, double started) {
  last_epoch_ = epoch;
  fit_threads_to_node_load();  // fewer BLAS threads while other processes hold the cores
  if (!fire(&TrainingCallbacks::epoch_start, EpochEvent{*this, epoch})) return false;
  if (settings_.shuffle_data) shuffle_training_data();
  if (!fire(&TrainingCallbacks::update_start, EpochEvent{*this, epoch})) return false;
  const UpdateReport report = update(*objective_);
  const Index samples = objective_->shard().total;
  errors_.train.push_back(report.loss);
  if (report.status == StepStatus::Ok) ++n_updates_;
  if (!fire(&TrainingCallbacks::train_error, ErrorEvent{*this, report.loss, epoch, n_updates_, samples})) return false;
  if (!fire(&TrainingCallbacks::update_end, UpdateEnd{*this, epoch, report})) return false;
  if (report.status != StepStatus::Ok) return stop("update_failed", report.message);  // agreed everywhere
  if (test_) {
    const double valid = data_loss(comm_, net_, settings_.loss, *test_);
    errors_.valid.push_back(valid);
    track_best(epoch, valid);
    if (!fire(&TrainingCallbacks::valid_error, ErrorEvent{*this, valid, epoch, n_updates_, test_->total})) return false;
  }
  if (!fire(&TrainingCallbacks::epoch_end, EpochEvent{*this, epoch})) return false;
  // The stop rules, on values every rank holds alike (the time is rank 0's).
  const Settings& s = settings_;
  if (const auto met = goal_met(report.loss)) return stop("goal", *met);
  if (s.min_grad > 0 && report.gradient_norm <= s.min_grad)
    return stop("min_grad", fmt::format("gradient norm {:.6g} <= min_grad {:g}", report.gradient_norm, s.min_grad));
  if (const auto met = max_fail_met()) return stop("max_fail", *met);
  if (s.time_limit > 0) {
    const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const double elapsed = broadcast(comm_, now) - started;
    if (elapsed >= s.time_limit)
      return stop("time_limit", fmt::format("time limit reached: {:.3f} s >= {:g} s", elapsed, s.time_limit));
  }
  return true;
}

}  // namespace hessnet
