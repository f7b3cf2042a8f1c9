// SPDX-License-Identifier: MIT
// hessnet train: second-order training (hessian, hessian-diagonal, trust-region,
// levenberg-marquardt) on sharded data, with stop rules and early stopping, a model
// file, a per-epoch CSV log and a JSON summary written by rank 0, checkpoints, resuming,
// and a clean stop on SIGUSR1/SIGTERM.
#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "commands.hpp"
#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/json_number.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "hessnet/train/input_scaling.hpp"
#include "hessnet/train/metrics.hpp"
#include "hessnet/train/stop_signal_handler.hpp"
#include "shared_options.hpp"
#include "train_config.hpp"
#include "train_log.hpp"

namespace hessnet::cli {
namespace {

/// What the epoch_end callback needs besides the optimizer, shared with run_train.
struct RunState {
  std::vector<LogRow> rows;
  LogRow current;
  std::optional<CheckpointScaling> scaling;
  int interrupted_by = 0;  ///< the stop signal that ended training, 0 if none
};

/// Checks the options of the command itself, on every rank together (inside set_up), before
/// the first epoch: a file that cannot be written, or that would overwrite an input, should
/// not be found out after hours of training. Creates --checkpoint DIR.
void check_config(const Communicator& comm, const TrainConfig& c) {
  check_optimizer_choice(c);
  check_epochs(c.epochs);
  check_layout(c.layout);
  // Checked here: CLI11's range check would print the whole range of a double.
  if (c.checkpoint_every < 1)
    throw InvalidArgument("--checkpoint-every must be >= 1, got " + std::to_string(c.checkpoint_every));
  if (!comm.is_root()) return;
  const std::string checkpoint = c.checkpoint.empty() ? "" : checkpoint_path(c.checkpoint);
  std::vector<FileOption> inputs = data_files(c.data);
  inputs.push_back({"--model", c.network.model});
  inputs.push_back({"--test", c.test});
  // Resuming from the directory that is checkpointed into is how a run continues.
  if (!c.resume.empty() && (checkpoint.empty() || !same_file(checkpoint_path(c.resume), checkpoint)))
    inputs.push_back({"--resume", checkpoint_path(c.resume)});
  const std::vector<FileOption> outputs = {
      {"--save", c.save}, {"--log", c.log}, {"--summary", c.summary}, {"--checkpoint", checkpoint}};
  check_distinct_files(inputs, outputs);
  if (!c.checkpoint.empty()) {
    std::error_code error;
    std::filesystem::create_directories(c.checkpoint, error);
    if (error)
      throw InvalidArgument("--checkpoint " + c.checkpoint + ": cannot create the directory: " + error.message());
  }
  check_writable_files(outputs);
}

/// The checkpoint of the optimizer's state with what the CLI adds: the input scaling and
/// the log rows so far.
Checkpoint checkpoint_of(const Optimizer& optimizer, const RunState& state) {
  Checkpoint checkpoint = optimizer.checkpoint();
  checkpoint.input_scaling = state.scaling;
  checkpoint.extra_json = log_rows_to_json(state.rows);
  return checkpoint;
}

/// Collective. Rewrites --log on rank 0; a failed write (full disk, a removed directory)
/// throws the same CollectiveError on every rank, so no rank is left in a collective.
void rewrite_log(const Communicator& comm, const TrainConfig& c, const std::vector<LogRow>& rows) {
  if (c.log.empty()) return;
  run_agreed(comm, [&] {
    if (comm.is_root()) write_log(c.log, rows, c.log_curvature);
  });
}

/// Callbacks that fill the log rows and rewrite the log (rank 0) after every epoch, write the
/// checkpoints, and stop training at the end of an epoch when a stop signal arrived. Each
/// runs on every rank at the same epoch, and every file write in it is agreed.
TrainingCallbacks epoch_callbacks(const Communicator& comm, const TrainConfig& c, RunState& state) {
  const bool diagonal = c.optimizer == "hessian-diagonal";
  const auto flush = [&comm, &state, &c] {
    state.rows.push_back(state.current);
    rewrite_log(comm, c, state.rows);
  };
  TrainingCallbacks s;
  s.train_error = [&state](const ErrorEvent& e) {
    state.current = LogRow{};
    state.current.epoch = e.epoch;
    state.current.train = e.value;
  };
  s.update_end = [&state, &c, diagonal](const UpdateEnd& e) {
    LogRow& row = state.current;
    if (!diagonal) row.lambda = e.report.lambda;
    if (c.log_curvature) row.min_eigenvalue = e.report.min_eigenvalue;
    row.escalations = e.report.escalations;
    row.factorizations = e.report.factorizations;
    row.evaluations = e.report.evaluations;
    if (const auto radius = e.report.rule_state.find("radius"); radius != e.report.rule_state.end())
      row.radius = radius->second;
    if (const auto mu = e.report.rule_state.find("mu"); mu != e.report.rule_state.end()) row.mu = mu->second;
    row.assembly = e.report.seconds_kernel + e.report.seconds_reduce;
    row.solve = e.report.seconds_solve;
    row.total = e.report.seconds_total;
  };
  s.valid_error = [&state](const ErrorEvent& e) { state.current.valid = e.value; };
  s.epoch_end = [&comm, &c, &state, flush](const EpochEvent& e) {
    if (const Shard* test = e.optimizer.test_shard())
      if (const auto accuracy = shard_accuracy(comm, e.optimizer.network(), *test))
        state.current.accuracy = accuracy->fraction();
    flush();
    const bool last = e.epoch == c.epochs;
    const int signal = last ? 0 : StopSignalHandler::agreed(comm);  // a signal at the end changes nothing
    if (!c.checkpoint.empty() && (signal != 0 || last || e.epoch % c.checkpoint_every == 0))
      save_checkpoint(comm, checkpoint_of(e.optimizer, state), checkpoint_path(c.checkpoint));
    if (signal != 0) {
      state.interrupted_by = signal;
      throw StopTraining("interrupted by " + StopSignalHandler::name(signal), "signal");
    }
  };
  s.train_end = [&comm, &c, &state, flush](const TrainEnd& e) {
    // An epoch cut short still gets its row, and the last row says why training ended.
    if (state.current.epoch > 0 && (state.rows.empty() || state.rows.back().epoch != state.current.epoch)) flush();
    if (state.rows.empty()) return;
    state.rows.back().stop_reason = e.optimizer.stop_reason();
    rewrite_log(comm, c, state.rows);
  };
  return s;
}

/// Collective. Writes --summary on rank 0 (atomically; a failure is agreed): how and why training
/// ended and the final scores, for scripts that run many trainings.
void write_summary(const Communicator& comm, const TrainConfig& c, const nlohmann::json& summary) {
  if (c.summary.empty()) return;
  run_agreed(comm, [&] {
    if (comm.is_root()) write_file_atomically(c.summary, [&](std::ostream& out) { out << summary.dump(2) << '\n'; });
  });
}

/// The scaling to train with: computed from the training data, or on --resume the
/// checkpoint's, which must agree with it (the same data) and with --scale-inputs.
std::optional<CheckpointScaling> input_scaling_for(const Communicator& comm, const TrainConfig& c, const Shard& data,
                                                   const std::optional<Checkpoint>& resumed) {
  std::optional<CheckpointScaling> scaling;
  if (!c.scale_inputs.empty())
    scaling = CheckpointScaling{c.scale_inputs,
                                InputScaling::of_training_data(comm, data, parse_scaling_kind(c.scale_inputs))};
  if (!resumed) return scaling;
  run_agreed(comm, [&] {
    const auto kind = [](const std::optional<CheckpointScaling>& s) { return s ? s->kind : std::string("none"); };
    if (kind(scaling) != kind(resumed->input_scaling))
      throw InvalidArgument("cannot resume: the checkpoint has --scale-inputs " + kind(resumed->input_scaling) +
                            ", this run " + kind(scaling));
    if (!scaling) return;
    const InputScaling& saved = resumed->input_scaling->values;
    const double difference = std::max(
        (saved.mean - scaling->values.mean).cwiseAbs().maxCoeff() / std::max(saved.scale.cwiseAbs().maxCoeff(), 1e-300),
        (saved.scale - scaling->values.scale).cwiseQuotient(saved.scale).cwiseAbs().maxCoeff());
    if (!(difference <= 1e-9))
      throw InvalidArgument(
          fmt::format("cannot resume: the input scaling of the training data differs from the "
                      "checkpoint's by {:.3g} (relative): not the same data?",
                      difference));
  });
  return resumed->input_scaling;  // exact, whatever the rank count that computed it
}

void run_train(Context& context, const TrainConfig& c) {
  const Communicator& comm = context.comm;
  const Stopwatch clock;
  const StopSignalHandler stop_signals;  // from here on SIGUSR1/SIGTERM end the current epoch, then stop
  std::optional<Checkpoint> resumed;
  if (!c.resume.empty()) resumed = load_checkpoint(comm, checkpoint_path(c.resume));
  // On --resume without --network/--model the checkpoint's network is the one.
  Setup setup = set_up(
      context, c.network, c.objective, c.data, [&] { check_config(comm, c); },
      resumed ? std::optional<Network>(resumed->network) : std::nullopt);
  Network& net = setup.net;
  Shard& train_data = setup.shard;
  std::optional<Shard> test_data;
  if (!c.test.empty()) {
    test_data = load_shard(comm, DataSource{c.test, "", "", c.data.csv_header}, net.inputs(), net.outputs());
    require_targets_in_domain(comm, setup.loss, *test_data, c.test);  // before training, not at the end
  }
  // With --validation-split the last rows of the training data validate each epoch (and early
  // stopping); the test set is scored once, at the end.
  std::optional<Shard> validation_data;
  if (c.validation_split > 0) {
    const Index total = train_data.total;
    const auto held = static_cast<Index>(c.validation_split * static_cast<double>(total));
    run_agreed(comm, [&] {
      check_sample_count(held, comm.size(), fmt::format("--validation-split {} of {}", c.validation_split, total));
      check_sample_count(total - held, comm.size(), "the training data left after --validation-split");
    });
    validation_data = take_rows(comm, train_data, total - held, total);
    train_data = take_rows(comm, train_data, 0, total - held);
  }
  if (resumed && resumed->train_samples != 0)
    run_agreed(comm, [&] {
      if (resumed->train_samples != train_data.total)
        throw InvalidArgument(fmt::format("cannot resume: the checkpoint was trained on {} samples, {} has {}",
                                          resumed->train_samples, c.data.describe(), train_data.total));
    });

  // Training runs on scaled inputs; the saved model takes raw ones again.
  RunState state;
  state.scaling = input_scaling_for(comm, c, train_data, resumed);
  if (state.scaling) {
    state.scaling->values.apply(train_data.local.inputs);
    if (test_data) state.scaling->values.apply(test_data->local.inputs);
    if (validation_data) state.scaling->values.apply(validation_data->local.inputs);
    if (!resumed) run_agreed(comm, [&] { net = state.scaling->values.for_scaled_inputs(net); });
  }
  auto optimizer = make_optimizer(comm, std::move(net), setup, c, epoch_callbacks(comm, c, state));
  if (isatty(STDERR_FILENO) == 1) optimizer->show_progress_on(&std::cerr);
  if (resumed) {
    optimizer->restore(*resumed);  // checks the network and options against the checkpoint
    run_agreed(comm, [&] { state.rows = log_rows_of(*resumed, checkpoint_path(c.resume)); });
    say(context, fmt::format("resuming from {} after epoch {}", checkpoint_path(c.resume), resumed->last_epoch));
  }
  rewrite_log(comm, c, state.rows);

  const int remaining = c.epochs - optimizer->last_epoch;
  const int epoch_before = optimizer->last_epoch;
  const Index updates_before = optimizer->n_updates_made;
  const std::string nothing_to_train =
      fmt::format("epoch {} reached already (--epochs {}): nothing to train", optimizer->last_epoch, c.epochs);
  if (remaining <= 0) {
    say(context, nothing_to_train);
  } else if (validation_data || test_data) {
    optimizer->train(std::move(train_data), validation_data ? std::move(*validation_data) : *test_data, remaining);
  } else {
    optimizer->train(std::move(train_data), remaining);
  }
  nlohmann::json summary = {{"format", "hessnet.summary/1"},
                            {"optimizer", c.optimizer},
                            {"last_epoch", optimizer->last_epoch},
                            {"epochs_this_run", optimizer->last_epoch - epoch_before},
                            {"n_updates_made", optimizer->n_updates_made},
                            {"stop_reason", remaining <= 0 ? "epochs" : optimizer->stop_reason()},  // as logged
                            {"stop_message", remaining <= 0 ? nothing_to_train : optimizer->stop_message()}};
  // A run whose epochs could not make a single update failed: there is no model to save, but
  // the summary says why. (A resumed run that a rule had already ended trains no epoch.)
  if (optimizer->last_epoch > epoch_before && state.interrupted_by == 0 &&
      optimizer->n_updates_made == updates_before) {
    summary["seconds"] = json_number(clock.seconds());
    std::string summary_failure;  // the failed training is the error; a failed summary is told with it
    try {
      write_summary(comm, c, summary);
    } catch (const std::exception& e) {
      summary_failure = std::string("; --summary not written: ") + e.what();
    }
    throw CollectiveError(fmt::format("training applied no update in {} epoch(s): {}{}{}",
                                      optimizer->last_epoch - epoch_before, optimizer->stop_message(),
                                      c.save.empty() ? "" : "; " + c.save + " not written", summary_failure));
  }
  if (state.interrupted_by != 0) {
    context.exit_code = k_exit_interrupted;
    say(context,
        fmt::format(
            "stopped by {} after epoch {}{}", StopSignalHandler::name(state.interrupted_by), optimizer->last_epoch,
            c.checkpoint.empty() ? " (no --checkpoint: not resumable)" : "; continue with --resume " + c.checkpoint));
  } else if (optimizer->stop_reason() == "update_failed" && c.quiet && comm.is_root()) {  // verbose said it
    std::cerr << fmt::format("hessnet: warning: epoch #{}: {}; training stopped\n", optimizer->last_epoch,
                             optimizer->stop_message());
  } else if (optimizer->stopped()) {
    say(context, fmt::format("stopped after epoch {} ({}): {}", optimizer->last_epoch, optimizer->stop_reason(),
                             optimizer->stop_message()));
  }
  if (const auto* curvature = dynamic_cast<const CurvatureOptimizer*>(optimizer.get()); curvature && curvature->plan())
    context.plan = *curvature->plan();
  if (c.max_fail > 0 && optimizer->best_epoch() > 0) {
    summary["best_epoch"] = optimizer->best_epoch();
    summary["best_valid_loss"] = json_number(optimizer->best_valid_loss());
    say(context, fmt::format("kept the model of epoch {} (best validation loss {:.6g})", optimizer->best_epoch(),
                             optimizer->best_valid_loss()));
  }
  // A resumed run with nothing left to do still scores the model it saves.
  if (const Shard* train = remaining <= 0 ? &train_data : optimizer->training_shard()) {
    const double train_loss = optimizer->score(*train);
    summary["train_loss"] = json_number(train_loss);
    say(context, fmt::format("final train loss {:.6g} after {} epochs ({} updates)", train_loss, optimizer->last_epoch,
                             optimizer->n_updates_made));
  }
  if (const Shard* validation = validation_data ? optimizer->test_shard() : nullptr) {
    const auto accuracy = shard_accuracy(comm, optimizer->network(), *validation);
    const double loss = optimizer->score(*validation);
    summary["validation_loss"] = json_number(loss);
    if (accuracy) summary["validation_accuracy"] = json_number(accuracy->fraction());
    say(context, accuracy ? fmt::format("validation loss {:.6g}, validation accuracy {:.4f} ({} of {})", loss,
                                        accuracy->fraction(), accuracy->correct, accuracy->total)
                          : fmt::format("validation loss {:.6g}", loss));
  }
  if (const Shard* test = test_data ? &*test_data : nullptr) {
    const double test_loss = optimizer->score(*test);
    const auto accuracy = shard_accuracy(comm, optimizer->network(), *test);
    summary["test_loss"] = json_number(test_loss);
    if (accuracy) summary["test_accuracy"] = json_number(accuracy->fraction());
    say(context, accuracy ? fmt::format("test loss {:.6g}, test accuracy {:.4f} ({} of {})", test_loss,
                                        accuracy->fraction(), accuracy->correct, accuracy->total)
                          : fmt::format("test loss {:.6g}", test_loss));
  }
  if (!c.save.empty()) {
    run_agreed(comm, [&] {
      if (comm.is_root())
        save_model(state.scaling ? state.scaling->values.for_raw_inputs(optimizer->network()) : optimizer->network(),
                   c.save);
    });
    say(context, "saved " + c.save);
    summary["model"] = c.save;
  }
  summary["seconds"] = json_number(clock.seconds());
  write_summary(comm, c, summary);
}

}  // namespace

void add_train_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("train", "Train a network by Newton's method on the exact Hessian");
  auto config = std::make_shared<TrainConfig>();
  TrainConfig& c = *config;
  add_network_options(*command, c.network, false, "Seed of the initialisation (with --network) and of --shuffle");
  add_data_options(*command, c.data, "Training samples");
  command->add_option("--test", c.test,
                      "Test samples (CSV or .npy table), evaluated after every epoch (errors.valid) unless "
                      "--validation-split is given");
  add_objective_options(*command, c.objective);
  command->add_option("--epochs", c.epochs, "Epochs (one full-batch update each)")->capture_default_str();
  add_optimizer_options(*command, c);
  command->add_option("--show-epoch", c.show_epoch, "Print the first, every K-th and the last epoch")
      ->capture_default_str();
  command->add_flag("--shuffle", c.shuffle, "Shuffle the samples before every epoch (changes only rounding)");
  command
      ->add_option("--scale-inputs", c.scale_inputs,
                   "Train on scaled inputs: 'standard' (zero mean, unit variance) or 'maxabs' (divided by "
                   "each column's largest magnitude), over all ranks; the saved model folds the scaling "
                   "into its first layer and takes raw inputs")
      ->check(CLI::IsMember({"standard", "maxabs"}));
  add_layout_options(*command, c.layout);
  for (const char* name : {"--grid", "--block", "--panel", "--overlap"})
    c.full_hessian_options.push_back(command->get_option(name));
  command->add_option("--save", c.save, "Write the trained model here (JSON, atomically, rank 0)");
  command->add_option("--log", c.log, "Per-epoch CSV log, rewritten atomically after every epoch (rank 0)");
  command->add_option("--summary", c.summary,
                      "JSON summary at the end (rank 0, atomically): stop_reason, epochs, updates, final "
                      "train/validation/test loss and accuracy, seconds");
  command->add_flag("--log-curvature", c.log_curvature,
                    "Add a min_eigenvalue column to --log: the smallest eigenvalue of the undamped Hessian "
                    "before each update (hessian, trust-region; costs a distributed eigensolve, O(N^3), per epoch)");
  command->add_option("--checkpoint", c.checkpoint,
                      "Directory for checkpoint.json (model, epoch, losses, lambda, RNG state), written "
                      "atomically by rank 0 every --checkpoint-every epochs, after the last and on a stop signal");
  command->add_option("--checkpoint-every", c.checkpoint_every, "Epochs between checkpoints")
      ->capture_default_str()
      ->needs("--checkpoint");
  command->add_option("--resume", c.resume,
                      "Continue from DIR/checkpoint.json (same data and options); --epochs is the total to reach");
  command->add_flag("-q,--quiet", c.quiet, "No options or epoch lines, only the final losses");
  command->footer(fmt::format(
      "Signals: SIGUSR1 or SIGTERM ends training after the current epoch; with --checkpoint a checkpoint is "
      "written first.\nExit status: 0 trained; 1 error; {} interrupted by SIGUSR1/SIGTERM (resumable with "
      "--resume DIR when --checkpoint DIR was given); other codes: a bad command line.",
      k_exit_interrupted));
  command->callback([config, &context] { run_train(context, *config); });
}

}  // namespace hessnet::cli
