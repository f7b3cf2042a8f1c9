// SPDX-License-Identifier: MIT
#pragma once
// Options shared by several subcommands.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/solver/newton_engine.hpp"

namespace hessnet::cli {

/// --data table, or --inputs X.npy --targets Y.npy.
void add_data_options(CLI::App& command, DataSource& source, const std::string& what);

/// --loss NAME and --regularizer KIND:RATE.
void add_objective_options(CLI::App& command, std::string& loss, std::string& regularizer);

/// --grid PxQ and --block NB.
void add_layout_options(CLI::App& command, EngineOptions& options);

/// The network of --model FILE, or a fresh one from --network "..." and --seed.
struct NetworkChoice {
  std::string model;
  std::string network;
  std::uint64_t seed = 0;
};
void add_network_options(CLI::App& command, NetworkChoice& choice, bool model_required);
/// Collective: every rank loads or builds the same network; errors agree on all ranks.
Network make_network(const Communicator& comm, const NetworkChoice& choice);

struct Context;

/// The exact Hessian of a model's objective on sharded data, as `hessian` and `spectrum`
/// need it: threads placed, inputs checked (with `check_outputs`) on every rank together,
/// the engine's Hessian assembled.
struct AssembledObjective {
  Network net;
  Shard shard;
  std::unique_ptr<NewtonEngine> engine;
  Evaluation evaluation;
};
AssembledObjective assemble_objective(const Context& context, const NetworkChoice& network, const DataSource& data,
                                      const std::string& loss, const std::string& regularizer,
                                      const EngineOptions& engine, const std::function<void()>& check_outputs);

}  // namespace hessnet::cli
