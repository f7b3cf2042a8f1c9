// SPDX-License-Identifier: MIT
// hessnet hessian: the exact gradient and Hessian of the training objective, as .npy files.
#include <fmt/core.h>

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/matrix_export.hpp"
#include "hessnet/io/npy.hpp"
#include "shared_options.hpp"

namespace hessnet::cli {

void add_hessian_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("hessian", "Write the exact gradient and Hessian of loss + regularizer");
  struct Config {
    NetworkChoice network;
    DataSource data;
    ObjectiveChoice objective;
    std::string grad, hessian;
    LayoutOptions layout;
  };
  auto config = std::make_shared<Config>();
  add_network_options(*command, config->network, true);
  add_data_options(*command, config->data, "Samples");
  add_objective_options(*command, config->objective);
  command->add_option("--grad", config->grad,
                      "Gradient output (.npy, length N); without --hessian no N x N matrix is assembled");
  command->add_option("--hessian", config->hessian, "Hessian output (.npy, N x N, float64, C order)");
  add_layout_options(*command, config->layout);
  command->callback([config, &context] {
    const Communicator& comm = context.comm;
    Setup setup = set_up(context, config->network, config->objective, config->data, [&] {
      if (config->grad.empty() && config->hessian.empty())
        throw InvalidArgument("nothing to write: give --grad and/or --hessian");
      check_layout(config->layout);
      std::vector<FileOption> inputs = data_files(config->data);
      inputs.push_back({"--model", config->network.model});
      const std::vector<FileOption> outputs = {{"--grad", config->grad}, {"--hessian", config->hessian}};
      check_output_files(comm, inputs, outputs);
      check_npy_names(outputs);
    });
    if (config->hessian.empty()) {  // the gradient alone needs no N x N matrix
      DistributedObjective objective(comm, setup.net, setup.loss, setup.regularizer, std::move(setup.shard));
      const Evaluation e = objective.gradient(setup.net.parameters());
      require_finite_evaluation(comm, e);
      run_agreed(comm, [&] {
        if (comm.is_root()) save_npy(config->grad, e.gradient);
      });
      say(context, fmt::format("loss {:.10g} over {} samples, N = {} parameters; gradient only (no Hessian assembled)",
                               e.loss, objective.shard().total, objective.n_params()));
      say(context, "wrote " + config->grad);
      return;
    }
    const AssembledHessian a = assemble_hessian(context, std::move(setup), config->layout);
    check_finite_hessian(comm, a);
    context.plan = a.storage->plan();
    const Evaluation& e = a.evaluation;
    save_gradient_and_hessian(e.gradient, a.storage->matrix(), config->grad, config->hessian);
    say(context,
        fmt::format("loss {:.10g} over {} samples, N = {} parameters; kernel {:.3f} s, reduction {:.3f} s", e.loss,
                    a.objective->shard().total, a.objective->n_params(), e.seconds_kernel, e.seconds_reduce));
    for (const std::string& written : {config->grad, config->hessian})
      if (!written.empty()) say(context, "wrote " + written);
  });
}

void say(const Context& context, const std::string& line) {
  if (context.comm.is_root()) fmt::print("{}\n", line);
}

void report_peak_memory(const Context& context) {
  constexpr double k_gib = 1024.0 * 1024.0 * 1024.0;
  const double peak = allreduce_max(context.comm, static_cast<double>(peak_resident_bytes())) / k_gib;
  if (!context.plan) {
    say(context, fmt::format("memory: peak RSS {:.3f} GiB per rank (largest rank), no plan", peak));
    return;
  }
  const double planned = static_cast<double>(context.plan->total_bytes()) / k_gib;
  say(context, fmt::format("memory: peak RSS {:.3f} GiB per rank (largest rank), plan {:.3f} GiB, peak/plan {:.3f}",
                           peak, planned, peak / planned));
}

}  // namespace hessnet::cli
