// SPDX-License-Identifier: MIT
#pragma once
// Options and set-up shared by the subcommands.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/hessian_storage.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/optim/options.hpp"

namespace hessnet::cli {

struct Context;

/// --data table, or --inputs X.npy --targets Y.npy.
void add_data_options(CLI::App& command, DataSource& source, const std::string& what);

/// The loss and regularizer as given on the command line; checked once, in set_up.
struct ObjectiveChoice {
  std::string loss = "mse";
  std::string regularizer = "none";
};
/// --loss NAME and --regularizer KIND:RATE.
void add_objective_options(CLI::App& command, ObjectiveChoice& choice);

/// --grid PxQ, --block NB and --panel COLUMNS.
void add_layout_options(CLI::App& command, LayoutOptions& layout);

/// The network of --model FILE, or a fresh one from --network "..." and --seed.
struct NetworkChoice {
  std::string model;
  std::string network;
  std::uint64_t seed = 0;
  bool given() const { return !model.empty() || !network.empty(); }
};
/// --model FILE (required when `model_only`), else --model or --network with --seed, whose
/// help text `seed_help` says what else the seed drives.
void add_network_options(CLI::App& command, NetworkChoice& choice, bool model_only,
                         const std::string& seed_help = "Seed of the HeNormal initialisation (with --network)");
/// Collective: every rank loads or builds the same network; errors agree on all ranks.
Network make_network(const Communicator& comm, const NetworkChoice& choice);

/// What a subcommand that works on data starts from, set up once: BLAS threads placed, the
/// network, the loss and regularizer resolved, the data sharded over the ranks.
struct Setup {
  ThreadPlacement threads;
  Network net;
  Loss loss;
  Regularizer regularizer;
  Shard shard;
};
/// Collective. Places the threads, makes the network (or takes `fallback` when none is
/// given), resolves the objective and runs `check` on every rank together (one agreed error
/// for any of them), then loads the data.
Setup set_up(const Context& context, const NetworkChoice& network, const ObjectiveChoice& objective,
             const DataSource& data, const std::function<void()>& check = {},
             const std::optional<Network>& fallback = std::nullopt);

/// The exact Hessian of the set-up's objective at its network's parameters.
struct AssembledHessian {
  std::unique_ptr<DistributedObjective> objective;  ///< holds the set-up's data
  std::unique_ptr<HessianStorage> storage;
  Evaluation evaluation;
};
/// Collective. Plans and allocates the distributed Hessian in `layout` (the memory plan on
/// rank 0 with -v; `eigenvalues`: the plan counts pdsyev) and assembles it; the set-up's data
/// moves into the objective.
AssembledHessian assemble_hessian(const Context& context, Setup&& setup, const LayoutOptions& layout,
                                  bool eigenvalues = false);

}  // namespace hessnet::cli
