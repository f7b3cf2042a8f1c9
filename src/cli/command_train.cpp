// SPDX-License-Identifier: MIT
// hessnet train: Newton training (Hessian or HessianDiagonal) on sharded data, with a model
// file and a per-epoch CSV log written by rank 0.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "hessnet/train/input_scaling.hpp"
#include "hessnet/train/metrics.hpp"
#include "options.hpp"

namespace hessnet::cli {
namespace {

struct TrainConfig {
  NetworkChoice network;
  DataSource data;
  std::string test, loss = "mse", optimizer = "hessian", regularizer = "none", save, log;
  int epochs = 100, show_epoch = 1;
  double penalty = 1, step = 0.1, min_eigval = 1e-2;
  bool shuffle = false, adaptive = false, quiet = false;
  std::string scale_inputs;  // empty: none
  EngineOptions engine;
};

/// One line of the --log file.
struct LogRow {
  int epoch = 0;
  double train = 0;
  std::optional<double> valid, accuracy, lambda;
  int escalations = 0;
  double assembly = 0, solve = 0, total = 0;
};

std::string optional_field(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : ""; }

void write_log(const std::string& path, const std::vector<LogRow>& rows) {
  write_file_atomically(path, [&](std::ostream& out) {
    out << "epoch,train_loss,valid_loss,accuracy,lambda,escalations,seconds_assembly,seconds_solve,seconds_total\n";
    for (const LogRow& r : rows)
      out << fmt::format("{},{},{},{},{},{},{},{},{}\n", r.epoch, r.train, optional_field(r.valid),
                         optional_field(r.accuracy), optional_field(r.lambda), r.escalations, r.assembly, r.solve,
                         r.total);
  });
}

/// Throws unless the directory `path` would be written in exists.
void check_writable_directory(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir))
    throw InvalidArgument(option + " " + path + ": directory '" + dir.string() + "' does not exist");
}

/// Checks everything that needs no data, on every rank together.
void check_config(const Communicator& comm, const TrainConfig& c) {
  run_agreed(comm, [&] {
    if (c.optimizer != "hessian" && c.optimizer != "hessian-diagonal")
      throw InvalidArgument("unknown --optimizer '" + c.optimizer + "' (hessian or hessian-diagonal)");
    if (c.epochs <= 0) throw InvalidArgument(fmt::format("--epochs must be > 0, got {}", c.epochs));
    (void)Loss::named(c.loss);
    (void)Regularizer::parse(c.regularizer);
    if (comm.is_root()) {
      check_writable_directory(c.save, "--save");
      check_writable_directory(c.log, "--log");
    }
  });
}

std::unique_ptr<Optimizer> make_optimizer(const Communicator& comm, Network net, const TrainConfig& c, Signals signals) {
  const Regularizer regularizer = Regularizer::parse(c.regularizer);
  if (c.optimizer == "hessian-diagonal")
    return std::make_unique<HessianDiagonal>(
        std::move(net),
        HessianDiagonalOptions{.min_eigval = c.min_eigval, .step = c.step, .loss = c.loss, .regularizer = regularizer,
                               .show_epoch = c.show_epoch, .shuffle_data = c.shuffle, .seed = c.network.seed,
                               .signals = std::move(signals), .verbose = !c.quiet},
        comm);
  return std::make_unique<Hessian>(
      std::move(net),
      HessianOptions{.penalty_const = c.penalty, .loss = c.loss, .regularizer = regularizer,
                     .show_epoch = c.show_epoch, .shuffle_data = c.shuffle, .seed = c.network.seed,
                     .signals = std::move(signals), .verbose = !c.quiet, .adaptive = c.adaptive, .engine = c.engine},
      comm);
}

/// Signals that fill `rows` and rewrite the log (rank 0) after every epoch.
Signals logging_signals(const Communicator& comm, const TrainConfig& c, std::vector<LogRow>& rows,
                        std::shared_ptr<LogRow> current) {
  const bool diagonal = c.optimizer == "hessian-diagonal";
  const auto flush = [&comm, &rows, current, path = c.log] {
    rows.push_back(*current);
    if (!path.empty() && comm.is_root()) write_log(path, rows);
  };
  Signals s;
  s.train_error = [current](const ErrorEvent& e) {
    *current = LogRow{};
    current->epoch = e.epoch;
    current->train = e.value;
  };
  s.update_end = [current, diagonal](const UpdateEnd& e) {
    if (!diagonal) current->lambda = e.report.lambda;
    current->escalations = e.report.escalations;
    current->assembly = e.report.seconds_kernel + e.report.seconds_reduce;
    current->solve = e.report.seconds_solve;
    current->total = e.report.seconds_total;
  };
  s.valid_error = [current](const ErrorEvent& e) { current->valid = e.value; };
  s.epoch_end = [&comm, current, flush](const EpochEvent& e) {
    if (const Shard* test = e.optimizer.test_shard())  // collective: every rank runs this callback
      if (const auto accuracy = shard_accuracy(comm, e.optimizer.network(), *test)) current->accuracy = accuracy->fraction();
    flush();
  };
  s.train_end = [&rows, current, flush](const TrainEnd&) {  // an epoch cut short still gets its row
    if (current->epoch > 0 && (rows.empty() || rows.back().epoch != current->epoch)) flush();
  };
  return s;
}

void run_train(const Context& context, const TrainConfig& c) {
  const Communicator& comm = context.comm;
  const auto threads = place_blas_threads(comm);
  if (context.verbose) say(context, threads.describe());
  Network net = make_network(comm, c.network);
  check_config(comm, c);
  Shard train_data = load_shard(comm, c.data, net.inputs(), net.outputs());
  std::optional<Shard> test_data;
  if (!c.test.empty()) test_data = load_shard(comm, DataSource{c.test, "", ""}, net.inputs(), net.outputs());
  if (!c.log.empty()) run_agreed(comm, [&] { if (comm.is_root()) write_log(c.log, {}); });
  // Training runs on standardized inputs; the saved model takes raw ones again.
  std::optional<InputScaling> scaling;
  if (!c.scale_inputs.empty()) {
    scaling = InputScaling::of_training_data(comm, train_data, parse_scaling_kind(c.scale_inputs));
    scaling->apply(train_data.local.inputs);
    if (test_data) scaling->apply(test_data->local.inputs);
    run_agreed(comm, [&] { net = scaling->for_scaled_inputs(net); });
  }

  std::vector<LogRow> rows;
  auto current = std::make_shared<LogRow>();
  auto optimizer = make_optimizer(comm, std::move(net), c, logging_signals(comm, c, rows, current));
  if (test_data) optimizer->train(std::move(train_data), std::move(*test_data), c.epochs);
  else optimizer->train(std::move(train_data), c.epochs);

  const double train_loss = optimizer->score(*optimizer->training_shard());
  say(context, fmt::format("final train loss {:.6g} after {} epochs ({} updates)", train_loss,
                           optimizer->last_epoch, optimizer->n_updates_made));
  if (const Shard* test = optimizer->test_shard()) {
    const double test_loss = optimizer->score(*test);
    const auto accuracy = shard_accuracy(comm, optimizer->network(), *test);
    say(context, accuracy ? fmt::format("test loss {:.6g}, test accuracy {:.4f} ({} of {})", test_loss,
                                        accuracy->fraction(), accuracy->correct, accuracy->total)
                          : fmt::format("test loss {:.6g}", test_loss));
  }
  if (!c.save.empty()) {
    run_agreed(comm, [&] {
      if (comm.is_root()) save_model(scaling ? scaling->for_raw_inputs(optimizer->network()) : optimizer->network(), c.save);
    });
    say(context, "saved " + c.save);
  }
}

}  // namespace

void add_train_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("train", "Train a network by Newton's method on the exact Hessian");
  auto config = std::make_shared<TrainConfig>();
  TrainConfig& c = *config;
  auto* model = command->add_option("--model", c.network.model, "Model file (JSON) to start from");
  command->add_option("--network", c.network.network, "Architecture, e.g. \"Input(64) >> Sigmoid(32) >> Softmax(10)\"")
      ->excludes(model);
  command->add_option("--seed", c.network.seed, "Seed of the initialisation (with --network) and of --shuffle")
      ->capture_default_str();
  add_data_options(*command, c.data, "Training samples");
  command->add_option("--test", c.test, "Test samples (CSV or .npy table), evaluated after every epoch");
  command->add_option("--loss", c.loss, "Loss: mse, mae, rmse, msle, rmsle, binary_crossentropy, "
                                        "categorical_crossentropy, binary_hinge, categorical_hinge")
      ->capture_default_str();
  command->add_option("--epochs", c.epochs, "Epochs (one full-batch update each)")->capture_default_str();
  command->add_option("--optimizer", c.optimizer, "hessian or hessian-diagonal")->capture_default_str();
  command->add_option("--penalty", c.penalty, "penalty_const: lambda of H + lambda I (hessian)")->capture_default_str();
  command->add_option("--step", c.step, "Step of hessian-diagonal")->capture_default_str();
  command->add_option("--min-eigval", c.min_eigval, "min_eigval of hessian-diagonal, in (0, 1]")->capture_default_str();
  command->add_option("--regularizer", c.regularizer, "l1:RATE, l2:RATE or maxnorm:RATE (':all' adds biases)")
      ->capture_default_str();
  command->add_option("--show-epoch", c.show_epoch, "Print the first, every K-th and the last epoch")
      ->capture_default_str();
  command->add_flag("--shuffle", c.shuffle, "Shuffle the samples before every epoch (changes only rounding)");
  command->add_option("--scale-inputs", c.scale_inputs,
                      "Train on scaled inputs: 'standard' (zero mean, unit variance) or 'maxabs' (divided by "
                      "each column's largest magnitude), over all ranks; the saved model folds the scaling "
                      "into its first layer and takes raw inputs")
      ->check(CLI::IsMember({"standard", "maxabs"}));
  command->add_flag("--adaptive", c.adaptive, "Levenberg-Marquardt: keep a step only if the loss went down");
  add_layout_options(*command, c.engine);
  command->add_option("--save", c.save, "Write the trained model here (JSON, atomically, rank 0)");
  command->add_option("--log", c.log, "Per-epoch CSV log, rewritten atomically after every epoch (rank 0)");
  command->add_flag("-q,--quiet", c.quiet, "No options or epoch lines, only the final losses");
  command->callback([config, &context] { run_train(context, *config); });
}

}  // namespace hessnet::cli
