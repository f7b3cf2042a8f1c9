// SPDX-License-Identifier: MIT
#pragma once
// The options of `hessnet train`, and the optimizer they describe.
#include <CLI/CLI.hpp>

#include <limits>
#include <memory>
#include <string>

#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "shared_options.hpp"

namespace hessnet::cli {

struct TrainConfig {
  NetworkChoice network;
  DataSource data;
  ObjectiveChoice objective;
  std::string test, optimizer = "hessian", save, log, summary;
  int epochs = 100, show_epoch = 1;
  double penalty = 1, step = 0.1, min_eigval = 1e-2;
  double initial_radius = 1, max_radius = 1000, eta = 0.15;  // trust-region
  double mu = 0.01, mu_update_factor = 1.2, mu_max = 1e10;   // levenberg-marquardt
  bool lm_retry = false;
  double goal = -std::numeric_limits<double>::infinity(), min_grad = 0, time_limit = 0;  // stop rules
  int max_fail = 0;
  double validation_split = 0;  // the last fraction of the training rows, as validation data
  bool shuffle = false, adaptive = false, log_curvature = false, quiet = false;
  std::string scale_inputs;        // empty: none
  std::string checkpoint, resume;  // directories; empty: none
  int checkpoint_every = 1;
  LayoutOptions layout;
  /// The options of one optimizer only, with the optimizer that takes them: giving one to
  /// another optimizer is refused rather than silently ignored.
  struct OwnedOption {
    const CLI::Option* option;
    std::string optimizer;
  };
  std::vector<OwnedOption> owned_options;
  /// The layout and precision of the distributed Hessian, which hessian-diagonal never builds.
  std::vector<const CLI::Option*> full_hessian_options;
  const CLI::Option* mu_max_option = nullptr;
};

/// Registers the optimizer's options (--optimizer and what each optimizer takes, the stop
/// rules) on `command`.
void add_optimizer_options(CLI::App& command, TrainConfig& c);

/// Checks the options of the command itself (the optimizer's own are checked when it is
/// made, by the library); runs inside set_up, on every rank together.
void check_optimizer_choice(const TrainConfig& c);

/// Collective. The optimizer --optimizer names, with the options given.
std::unique_ptr<Optimizer> make_optimizer(const Communicator& comm, Network net, const Setup& setup,
                                          const TrainConfig& c, TrainingCallbacks signals);

}  // namespace hessnet::cli
