// SPDX-License-Identifier: MIT
#include "options.hpp"

#include <optional>

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/io/model_file.hpp"

namespace hessnet::cli {

void add_data_options(CLI::App& command, DataSource& source, const std::string& what) {
  auto* data = command.add_option("--data", source.table,
                                  what + ": CSV (optional header; inputs then targets, or a class label) or .npy");
  auto* inputs = command.add_option("--inputs", source.inputs, "Inputs as .npy (with --targets)")->excludes(data);
  command.add_option("--targets", source.targets, "Targets as .npy (with --inputs)")->excludes(data)->needs(inputs);
  inputs->needs(command.get_option("--targets"));
}

void add_objective_options(CLI::App& command, std::string& loss, std::string& regularizer) {
  command.add_option("--loss", loss, "Loss: mse, mae, rmse, msle, rmsle, binary_crossentropy, "
                                     "categorical_crossentropy, binary_hinge, categorical_hinge")
      ->capture_default_str();
  command.add_option("--regularizer", regularizer, "l1:RATE, l2:RATE or maxnorm:RATE (':all' adds biases)")
      ->capture_default_str();
}

void add_layout_options(CLI::App& command, EngineOptions& options) {
  command.add_option("--grid", options.grid, "Process grid PxQ for the distributed Hessian (default: as square as possible)")
      ->capture_default_str();
  command.add_option("--block", options.block_size, "Block size nb of the block-cyclic layout")
      ->check(CLI::PositiveNumber)->capture_default_str();
}

void add_network_options(CLI::App& command, NetworkChoice& choice, bool model_required) {
  auto* model = command.add_option("--model", choice.model, "Model file (JSON) to start from");
  if (model_required) {
    model->required();
    return;
  }
  auto* network = command.add_option("--network", choice.network,
                                     "Architecture, e.g. \"Input(64) >> Sigmoid(32) >> Softmax(10)\"")->excludes(model);
  command.add_option("--seed", choice.seed, "Seed of the HeNormal initialisation")->needs(network)->capture_default_str();
}

Network make_network(const Communicator& comm, const NetworkChoice& choice) {
  std::optional<Network> net;
  run_agreed(comm, [&] {
    if (!choice.model.empty()) net = load_model(choice.model);
    else if (!choice.network.empty()) net = Network::he_normal(parse_architecture(choice.network), choice.seed);
    else throw InvalidArgument("give the network as --model FILE or --network \"Input(n) >> ...\"");
  });
  return std::move(*net);
}

AssembledObjective assemble_objective(const Context& context, const NetworkChoice& network, const DataSource& data,
                                      const std::string& loss_name, const std::string& regularizer_text,
                                      const EngineOptions& engine, const std::function<void()>& check_outputs) {
  const Communicator& comm = context.comm;
  const auto threads = place_blas_threads(comm);
  if (context.verbose) say(context, threads.describe());
  AssembledObjective out{make_network(comm, network), {}, nullptr, {}};
  std::optional<Loss> loss;
  Regularizer regularizer;
  run_agreed(comm, [&] {
    loss = Loss::named(loss_name);
    regularizer = Regularizer::parse(regularizer_text);
    check_outputs();
  });
  out.shard = load_shard(comm, data, out.net.inputs(), out.net.outputs());
  out.engine = std::make_unique<NewtonEngine>(comm, out.net.n_params(), engine, [&context](const std::string& line) {
    if (context.verbose) say(context, line);
  });
  out.evaluation = out.engine->evaluate(out.net, *loss, regularizer, out.shard);
  return out;
}

}  // namespace hessnet::cli
