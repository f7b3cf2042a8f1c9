// SPDX-License-Identifier: MIT
#include "train_config.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>

namespace hessnet::cli {
namespace {

constexpr std::array<const char*, 4> k_optimizers = {"hessian", "hessian-diagonal", "trust-region",
                                                     "levenberg-marquardt"};

/// The fields every options struct has, from the command line.
template <class Options>
Options with_common(Options o, const Setup& setup, const TrainConfig& c, TrainingCallbacks signals) {
  o.loss = setup.loss;
  o.regularizer = setup.regularizer;
  o.show_epoch = c.show_epoch;
  o.shuffle_data = c.shuffle;
  o.seed = c.network.seed;
  o.signals = std::move(signals);
  o.verbose = !c.quiet;
  o.goal = c.goal;
  o.min_grad = c.min_grad;
  o.max_fail = c.max_fail;
  o.time_limit = c.time_limit;
  return o;
}

}  // namespace

void add_optimizer_options(CLI::App& command, TrainConfig& c) {
  command.add_option("--optimizer", c.optimizer, "hessian, hessian-diagonal, trust-region or levenberg-marquardt")
      ->capture_default_str();
  const auto owned = [&c](const CLI::Option* option, const char* optimizer) {
    c.owned_options.push_back({option, optimizer});
  };
  owned(command.add_option("--penalty", c.penalty, "penalty_const: lambda of H + lambda I (hessian)")
            ->capture_default_str(),
        "hessian");
  owned(command.add_flag("--adaptive", c.adaptive,
                         "hessian: keep a step only if the loss went down (superseded by trust-region and "
                         "levenberg-marquardt)"),
        "hessian");
  owned(command.add_option("--step", c.step, "Step of hessian-diagonal")->capture_default_str(), "hessian-diagonal");
  owned(command.add_option("--min-eigval", c.min_eigval, "min_eigval of hessian-diagonal, in (0, 1]")
            ->capture_default_str(),
        "hessian-diagonal");
  owned(
      command.add_option("--initial-radius", c.initial_radius, "trust-region: the first radius")->capture_default_str(),
      "trust-region");
  owned(command.add_option("--max-radius", c.max_radius, "trust-region: the largest radius")->capture_default_str(),
        "trust-region");
  owned(command.add_option("--eta", c.eta, "trust-region: keep a step when actual/predicted decrease > eta")
            ->capture_default_str(),
        "trust-region");
  owned(command.add_option("--mu", c.mu, "levenberg-marquardt: mu of (J^T J + mu I) d = J^T e")->capture_default_str(),
        "levenberg-marquardt");
  owned(command.add_option("--mu-update-factor", c.mu_update_factor, "levenberg-marquardt: mu's factor up or down")
            ->capture_default_str(),
        "levenberg-marquardt");
  c.mu_max_option =
      command.add_option("--mu-max", c.mu_max, "levenberg-marquardt with --lm-retry: stop when mu exceeds it")
          ->capture_default_str();
  owned(c.mu_max_option, "levenberg-marquardt");
  owned(command.add_flag("--lm-retry", c.lm_retry,
                         "levenberg-marquardt: retry a step that raised the loss with mu x factor (MATLAB trainlm; "
                         "--mu 0.001 --mu-update-factor 10 --lm-retry is trainlm)"),
        "levenberg-marquardt");
  auto* precision = command.add_option_function<std::string>(
      "--precision", [&c](const std::string& text) { c.layout.precision = parse_precision(text); },
      "Factorizations: 'double', 'mixed' (float32, refined to float64 accuracy) or 'auto' (mixed when the "
      "memory plan has room for the float32 copy; the default)");
  precision->check(CLI::IsMember({"auto", "double", "mixed"}));
  c.full_hessian_options.push_back(precision);
  command.add_option("--goal", c.goal, "Stop once the training loss is <= GOAL");
  command.add_option("--min-grad", c.min_grad, "Stop once the gradient norm is <= NORM");
  command.add_option("--max-fail", c.max_fail,
                     "Early stopping: stop after K epochs without a better validation loss and keep the best model "
                     "(validation data: --validation-split, else --test; 0: off)");
  command.add_option("--time-limit", c.time_limit, "Stop after the epoch that passes SECONDS of training (0: none)");
  command.add_option("--validation-split", c.validation_split,
                     "Hold out the last FRACTION of the training rows as validation data (errors.valid, "
                     "--max-fail); --test is then evaluated at the end only");
}

void check_optimizer_choice(const TrainConfig& c) {
  if (std::find(k_optimizers.begin(), k_optimizers.end(), c.optimizer) == k_optimizers.end())
    throw InvalidArgument("unknown --optimizer '" + c.optimizer +
                          "' (hessian, hessian-diagonal, trust-region or levenberg-marquardt)");
  if (c.log_curvature && c.optimizer != "hessian" && c.optimizer != "trust-region")
    throw InvalidArgument(
        "--log-curvature needs --optimizer hessian or trust-region (the spectrum of the exact Hessian)");
  if (c.log_curvature && c.log.empty())  // an eigensolve every epoch, shown nowhere
    throw InvalidArgument("--log-curvature writes the min_eigenvalue column of --log: give --log FILE too");
  if (c.layout.assembly.panel_width < 0)
    throw InvalidArgument(fmt::format("--panel must be >= 0, got {}", c.layout.assembly.panel_width));
  for (const TrainConfig::OwnedOption& owned : c.owned_options)
    if (owned.option->count() > 0 && owned.optimizer != c.optimizer)
      throw InvalidArgument(fmt::format("{} is an option of --optimizer {}, not of {}", owned.option->get_name(),
                                        owned.optimizer, c.optimizer));
  if (c.optimizer == "hessian-diagonal")
    for (const CLI::Option* option : c.full_hessian_options)
      if (option->count() > 0)
        throw InvalidArgument(option->get_name() +
                              " sets up the distributed Hessian, which --optimizer hessian-diagonal does not build");
  if (c.mu_max_option->count() > 0 && !c.lm_retry)
    throw InvalidArgument("--mu-max needs --lm-retry (only retries raise mu until it passes --mu-max)");
  if (c.max_fail > 0 && c.validation_split == 0 && c.test.empty())
    throw InvalidArgument("--max-fail needs validation data: --validation-split FRACTION or --test FILE");
  if (!(c.validation_split >= 0 && c.validation_split < 1))
    throw InvalidArgument(fmt::format("--validation-split must be in [0, 1), got {}", c.validation_split));
}

std::unique_ptr<Optimizer> make_optimizer(const Communicator& comm, Network net, const Setup& setup,
                                          const TrainConfig& c, TrainingCallbacks signals) {
  if (c.optimizer == "hessian-diagonal") {
    HessianDiagonalOptions o = with_common(HessianDiagonalOptions{}, setup, c, std::move(signals));
    o.min_eigval = c.min_eigval;
    o.step = c.step;
    return std::make_unique<HessianDiagonal>(std::move(net), std::move(o), comm);
  }
  if (c.optimizer == "trust-region") {
    TrustRegionOptions o = with_common(TrustRegionOptions{}, setup, c, std::move(signals));
    o.initial_radius = c.initial_radius;
    o.max_radius = c.max_radius;
    o.eta = c.eta;
    o.log_curvature = c.log_curvature;
    o.layout = c.layout;
    return std::make_unique<TrustRegion>(std::move(net), std::move(o), comm);
  }
  if (c.optimizer == "levenberg-marquardt") {
    LevenbergMarquardtOptions o = with_common(LevenbergMarquardtOptions{}, setup, c, std::move(signals));
    o.mu = c.mu;
    o.mu_update_factor = c.mu_update_factor;
    o.mu_max = c.mu_max;
    o.retry = c.lm_retry;
    o.layout = c.layout;
    return std::make_unique<LevenbergMarquardt>(std::move(net), std::move(o), comm);
  }
  HessianOptions o = with_common(HessianOptions{}, setup, c, std::move(signals));
  o.penalty_const = c.penalty;
  o.adaptive = c.adaptive;
  o.log_curvature = c.log_curvature;
  o.layout = c.layout;
  return std::make_unique<Hessian>(std::move(net), std::move(o), comm);
}

}  // namespace hessnet::cli
