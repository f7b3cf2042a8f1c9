// SPDX-License-Identifier: MIT
#pragma once
/// @file The training loop shared by every optimizer (neupy's BaseOptimizer).
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "hessnet/core/random.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/optim/callbacks.hpp"
#include "hessnet/optim/option_list.hpp"
#include "hessnet/solver/step_rule.hpp"
#include "hessnet/train/checkpoint.hpp"

namespace hessnet {

class ConsoleReport;

/// neupy's `errors`: train[i] is the objective (loss + regularizer) at the parameters before
/// update i; valid[i] the test loss (no regularizer) after epoch i, when test data is given.
struct ErrorHistory {
  std::vector<double> train;
  std::vector<double> valid;
};

/// One full-batch update per epoch on data spread over the ranks of a communicator.
///
/// Every public member except predict() and the accessors is collective: all ranks call it
/// in the same order. Errors in the arguments (shapes, epochs, options) are agreed: every
/// rank throws the same CollectiveError (an InvalidArgument). Nothing is written to the
/// terminal unless `verbose` (then on rank 0, to the `output` stream).
class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Collective. Trains for `epochs` (> 0) more epochs, numbered from last_epoch + 1.
  /// Every rank passes the whole data set; each keeps only its contiguous block of rows
  /// (shard_rows(n, rank, size)), so the data needs at least as many samples as ranks.
  /// x_test and y_test are given together or both empty (no validation).
  void train(ConstRowMatrixRef x_train, ConstRowMatrixRef y_train, ConstRowMatrixRef x_test, ConstRowMatrixRef y_test,
             int epochs = 100);
  void train(ConstRowMatrixRef x_train, ConstRowMatrixRef y_train, int epochs = 100);
  /// Collective. As above with data already sharded by load_shard (or laid out as
  /// shard_rows): no rank ever holds the whole set.
  void train(Shard train_data, int epochs = 100);
  void train(Shard train_data, Shard test_data, int epochs = 100);

  /// Aliases of train, as neupy's fit.
  void fit(ConstRowMatrixRef x, ConstRowMatrixRef y, ConstRowMatrixRef x_test, ConstRowMatrixRef y_test,
           int epochs = 100) {
    train(x, y, x_test, y_test, epochs);
  }
  void fit(ConstRowMatrixRef x, ConstRowMatrixRef y, int epochs = 100) { train(x, y, epochs); }
  void fit(Shard train_data, int epochs = 100) { train(std::move(train_data), epochs); }
  void fit(Shard train_data, Shard test_data, int epochs = 100) {
    train(std::move(train_data), std::move(test_data), epochs);
  }

  /// Forward pass on this rank (not collective): one output row per input row. A vector
  /// (an Eigen column or row vector) is one sample, as neupy accepts a 1-D input.
  template <class Derived>
  RowMatrix predict(const Eigen::MatrixBase<Derived>& x) const {
    if constexpr (Derived::ColsAtCompileTime == 1)
      return net_.predict(RowMatrix(x.transpose()));
    else
      return net_.predict(RowMatrix(x));
  }

  /// Collective. The loss of the current network on (x, y), without the regularizer; every
  /// rank passes all of x and y and evaluates its own block of rows.
  double score(ConstRowMatrixRef x, ConstRowMatrixRef y) const;
  /// Collective. The same on sharded data.
  double score(const Shard& data) const;

  /// neupy's attributes, read-only: `optimizer.errors.train`, `optimizer.last_epoch`, ...
  /// errors: one train (and, with test data, valid) entry per epoch run.
  const ErrorHistory& errors{errors_};
  /// The last epoch run (0 before training); the next train() starts at last_epoch + 1.
  const int& last_epoch{last_epoch_};
  /// Updates applied (an update that could not be applied, see stop_message, is not counted).
  const Index& n_updates_made{n_updates_};
  /// Whether the last train() ended early (a stop rule, StopTraining, or an update that could
  /// not be applied), and why: stop_message() in words, stop_reason() as a key: "goal",
  /// "min_grad", "max_fail", "time_limit", "callback" (StopTraining, or the reason it was given:
  /// the CLI's "signal"), "update_failed", or
  /// "epochs" when every epoch ran ("" before training).
  bool stopped() const { return stopped_; }
  const std::string& stop_message() const { return stop_message_; }
  const std::string& stop_reason() const { return stop_reason_; }
  /// With max_fail: the epoch of the best validation loss so far (0: none yet) and that loss.
  int best_epoch() const { return best_.epoch; }
  double best_valid_loss() const { return best_.valid; }

  /// This rank's block of the data of the last train() call (in shuffled order after
  /// shuffling), or nullptr before training / without test data.
  const Shard* training_shard() const { return objective_ ? &objective_->shard() : nullptr; }
  const Shard* test_shard() const { return test_ ? &*test_ : nullptr; }

  /// The network being trained (e.g. for save_model).
  const Network& network() const { return net_; }
  /// Collective. Replaces the parameters the next update starts from (e.g. weights a user or
  /// another optimizer set on a shared network), keeping the step rule's state, the errors
  /// and the epoch count. The same CollectiveError on every rank for a wrong length, a NaN or
  /// an infinity, or ranks that pass different values.
  void set_parameters(const Vector& theta);
  /// The resolved loss and the regularizer of the training objective.
  const Loss& loss() const { return settings_.loss; }
  const Regularizer& regularizer() const { return settings_.regularizer; }
  /// The algorithm's name and its checked options, as printed and checkpointed.
  const OptionList& options_list() const { return options_; }
  /// The optimizer's own duplicate of the communicator it was given.
  const Communicator& communicator() const { return comm_; }

  /// Local. While an update runs, rank 0 shows `#N : updating P parameters...` on `stream`
  /// (overwritten afterwards); for a terminal, e.g. the CLI's stderr. nullptr: off (default).
  void show_progress_on(std::ostream* stream);

  /// Local. The state after the last epoch, enough to continue exactly: network, last_epoch,
  /// n_updates_made, errors, the shuffling generator, the step rule's state, the algorithm
  /// and its options (train_samples: the last training set's size). Call it between epochs,
  /// e.g. from an epoch_end callback.
  Checkpoint checkpoint() const;
  /// Collective. Continues from `checkpoint`: the next train() starts at its last_epoch + 1
  /// and, on the same data, repeats what the run that wrote it would have done (bit for bit
  /// on the same rank count; within rounding on another). Throws the same CollectiveError
  /// on every rank, one line naming the first mismatch, when the checkpoint comes from
  /// another algorithm or network architecture, or an option that changes the iteration
  /// differs (loss, regularizer, penalty_const, adaptive, step, min_eigval, shuffle_data).
  /// Options that do not (seed, grid, block_size, show_epoch, verbose, signals) may differ.
  void restore(const Checkpoint& checkpoint);
  /// Collective. Writes checkpoint() to `path` (rank 0, atomically; see save_checkpoint).
  void save_checkpoint(const std::string& path) const;
  /// Collective. load_checkpoint(path), then restore(); returns the checkpoint read (for
  /// its input_scaling and extra_json).
  Checkpoint restore_checkpoint(const std::string& path);

 protected:
  /// The options every optimizer has, resolved.
  struct Settings {
    Loss loss;
    Regularizer regularizer;
    int show_epoch = 1;
    bool shuffle_data = false;
    std::uint64_t seed = 0;
    TrainingCallbacks signals;
    bool verbose = false;
    std::ostream* output = nullptr;
    double goal = 0, min_grad = 0;  // the stop rules
    int max_fail = 0;
    double time_limit = 0;
  };
  template <class Options>
  static Settings settings_of(const Options& o) {
    return Settings{o.loss.resolve(), o.regularizer, o.show_epoch, o.shuffle_data, o.seed,     o.signals,
                    o.verbose,        o.output,      o.goal,       o.min_grad,     o.max_fail, o.time_limit};
  }

  /// Collective. Runs `check` (a checked_options call) on every rank: a bad option throws the
  /// same CollectiveError everywhere.
  static OptionList agreed_options(const Communicator& comm, const std::function<OptionList()>& check);

  /// Collective (duplicates `comm`); with `verbose`, rank 0 prints the options. `options`
  /// come from checked_options: validated once, in one place.
  Optimizer(Network net, OptionList options, Settings settings, const Communicator& comm);

  /// Collective. One update of net_ on the objective (whose data is the training set);
  /// report.loss is the objective before it. The parameters must be unchanged unless
  /// report.status is Ok.
  virtual UpdateReport update(DistributedObjective& objective) = 0;

  /// The step rule's state to checkpoint, and its restoration; none by default.
  virtual RuleState rule_state() const { return {}; }
  virtual void restore_rule_state(const RuleState& /*state*/) {}

  /// Local. A solver note for the verbose output ("[ENGINE] ..." on rank 0).
  void note(const std::string& line) const;

  Network net_;

 private:
  void run(Shard train_data, std::optional<Shard> test_data, int epochs);
  /// Collective. Reorders the training shard to a fresh random order of the samples.
  void shuffle_training_data();
  /// Runs one epoch; returns false when training must stop (stop_message_ set).
  bool run_epoch(int epoch, double started);
  /// Ends training early for `reason` (a stop_reason() key), saying why.
  bool stop(const std::string& reason, const std::string& message);
  /// After an epoch's validation loss: keeps the best parameters (max_fail > 0).
  void track_best(int epoch, double valid);
  /// The goal rule on an epoch's training loss, and the max_fail rule on the early-stopping
  /// state: the stop message when met.
  std::optional<std::string> goal_met(double loss) const;
  std::optional<std::string> max_fail_met() const;
  /// Collective (values every rank holds). After a resume: false, having stopped with that
  /// rule's reason, when the checkpoint had met the max_fail or goal rule already.
  bool checkpoint_allows_training();
  /// Fires one event's callbacks (the console report's, then the user's) on every rank
  /// and agrees on the outcome; false: stop requested.
  template <class Event>
  bool fire(std::function<void(const Event&)> TrainingCallbacks::*member, const Event& event);

  OptionList options_;
  Settings settings_;
  Communicator comm_;
  std::unique_ptr<ConsoleReport> console_;  // with verbose only
  TrainingCallbacks printing_;              // console_'s callbacks, fired before the user's
  Random shuffle_rng_;
  /// With shuffle_data: position_of_[s] is where the training set's sample s (in the order
  /// given to train) now is; empty while the order is the given one. Each epoch's order
  /// depends only on the generator's state, so a restored generator repeats it.
  std::vector<Index> position_of_;
  ErrorHistory errors_;
  int last_epoch_ = 0;
  Index n_updates_ = 0;
  bool stopped_ = false;
  std::string stop_message_, stop_reason_;
  EarlyStopping best_;
  /// After early stopping handed back the best model: the parameters the iteration had
  /// reached, where the next train() call (and a checkpoint) continues from.
  std::optional<Vector> iterate_;
  /// The training-set size of a restored checkpoint (0: none or unknown), checked by the next
  /// train(): resuming on other data would not continue the same run.
  Index resumed_samples_ = 0;
  std::optional<DistributedObjective> objective_;
  std::optional<Shard> test_;
};

}  // namespace hessnet
