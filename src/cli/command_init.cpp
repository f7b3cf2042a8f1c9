// SPDX-License-Identifier: MIT
// hessnet init: a freshly initialised model file.
#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/io/model_file.hpp"
#include "shared_options.hpp"

namespace hessnet::cli {

void add_init_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("init", "Write a model with HeNormal weights and zero biases");
  struct Config {
    NetworkChoice network;
    std::string out;
  };
  auto config = std::make_shared<Config>();
  command
      ->add_option("--network", config->network.network,
                   "Architecture, e.g. \"Input(64) >> Sigmoid(32) >> Softmax(10)\"")
      ->required();
  command->add_option("--seed", config->network.seed, "Seed of the initialisation")
      ->capture_default_str()
      ->check(unsigned_integer());
  command->add_option("--out", config->out, "Model file to write (JSON)")->required();
  command->callback([config, &context] {
    run_agreed(context.comm, [&] { check_output_files(context.comm, {}, {{"--out", config->out}}); });
    const Network net = make_network(context.comm, config->network);
    run_agreed(context.comm, [&] {
      if (context.comm.is_root()) save_model(net, config->out);
    });
    say(context, "wrote " + config->out + ": " + net.architecture().to_string() + ", " +
                     std::to_string(net.n_params()) + " parameters");
  });
}

}  // namespace hessnet::cli
