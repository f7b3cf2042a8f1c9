// SPDX-License-Identifier: MIT
#include "shared_options.hpp"

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/io/model_file.hpp"

namespace hessnet::cli {

void add_data_options(CLI::App& command, DataSource& source, const std::string& what) {
  auto* data = command.add_option("--data", source.table,
                                  what + ": CSV (optional header; inputs then targets, or a class label) or .npy");
  auto* inputs = command.add_option("--inputs", source.inputs, "Inputs as .npy (with --targets)")->excludes(data);
  command.add_option("--targets", source.targets, "Targets as .npy (with --inputs)")->excludes(data)->needs(inputs);
  inputs->needs(command.get_option("--targets"));
}

void add_objective_options(CLI::App& command, ObjectiveChoice& choice) {
  command
      .add_option("--loss", choice.loss,
                  "Loss: mse, mae, rmse, msle, rmsle, binary_crossentropy, "
                  "categorical_crossentropy, binary_hinge, categorical_hinge")
      ->capture_default_str();
  command.add_option("--regularizer", choice.regularizer, "l1:RATE, l2:RATE or maxnorm:RATE (':all' adds biases)")
      ->capture_default_str();
}

void add_layout_options(CLI::App& command, LayoutOptions& layout) {
  command
      .add_option("--grid", layout.grid,
                  "Process grid PxQ for the distributed Hessian (default: as square as possible)")
      ->capture_default_str();
  command.add_option("--block", layout.block_size, "Block size nb of the block-cyclic layout")->capture_default_str();
  command
      .add_option("--panel", layout.assembly.panel_width,
                  "Columns per assembly panel (0: the widest the memory budget allows)")
      ->capture_default_str();
}

void add_network_options(CLI::App& command, NetworkChoice& choice, bool model_only, const std::string& seed_help) {
  auto* model = command.add_option("--model", choice.model, "Model file (JSON) to start from");
  if (model_only) {
    model->required();
    return;
  }
  command.add_option("--network", choice.network, "Architecture, e.g. \"Input(64) >> Sigmoid(32) >> Softmax(10)\"")
      ->excludes(model);
  command.add_option("--seed", choice.seed, seed_help)->capture_default_str();
}

Network make_network(const Communicator& comm, const NetworkChoice& choice) {
  std::optional<Network> net;
  run_agreed(comm, [&] {
    if (!choice.model.empty())
      net = load_model(choice.model);
    else if (!choice.network.empty())
      net = Network::he_normal(parse_architecture(choice.network), choice.seed);
    else
      throw InvalidArgument("give the network as --model FILE or --network \"Input(n) >> ...\"");
  });
  return std::move(*net);
}

Setup set_up(const Context& context, const NetworkChoice& network, const ObjectiveChoice& objective,
             const DataSource& data, const std::function<void()>& check, const std::optional<Network>& fallback) {
  const Communicator& comm = context.comm;
  const ThreadPlacement threads = place_blas_threads(comm);
  if (context.verbose) say(context, threads.describe());
  Network net = fallback && !network.given() ? *fallback : make_network(comm, network);
  std::optional<Loss> loss;
  Regularizer regularizer;
  run_agreed(comm, [&] {
    loss = Loss::named(objective.loss);
    regularizer = Regularizer::parse(objective.regularizer);
    if (check) check();
  });
  Shard shard = load_shard(comm, data, net.inputs(), net.outputs());
  return Setup{threads, std::move(net), std::move(*loss), regularizer, std::move(shard)};
}

AssembledHessian assemble_hessian(const Context& context, Setup&& setup, const LayoutOptions& layout,
                                  bool eigenvalues) {
  const Communicator& comm = context.comm;
  GridShape grid;
  run_agreed(comm, [&] {
    if (layout.block_size < 1) throw InvalidArgument("--block must be >= 1, got " + std::to_string(layout.block_size));
    if (layout.assembly.panel_width < 0)
      throw InvalidArgument("--panel must be >= 0, got " + std::to_string(layout.assembly.panel_width));
    grid = resolve_grid(layout.grid, comm.size());
  });
  AssembledHessian out;
  const EpochWork work{&setup.net, setup.shard.local.size(), eigenvalues};
  out.storage = std::make_unique<HessianStorage>(comm, setup.net.n_params(), grid, layout.block_size, layout.assembly,
                                                 Precision::Double, work);
  if (context.verbose) say(context, out.storage->plan().describe());
  out.objective =
      std::make_unique<DistributedObjective>(comm, setup.net, setup.loss, setup.regularizer, std::move(setup.shard));
  out.evaluation = out.objective->hessian(setup.net.parameters(), out.storage->matrix(), layout.assembly);
  return out;
}

}  // namespace hessnet::cli
