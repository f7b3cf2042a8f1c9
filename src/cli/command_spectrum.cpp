// SPDX-License-Identifier: MIT
// hessnet spectrum: every eigenvalue of the exact Hessian of loss + regularizer.
#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/eigensolver.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/io/npy.hpp"
#include "options.hpp"

namespace hessnet::cli {
namespace {

/// A value for the report: "inf" and "nan" spelled as NumPy reads them.
std::string number(double value) {
  return std::isfinite(value) ? fmt::format("{:.10g}", value) : fmt::format("{}", value);
}

/// The report, as "key: value" lines that scripts can grep.
void report(const Context& context, const SpectrumSummary& s) {
  say(context, fmt::format("n: {}", s.n));
  say(context, "min: " + number(s.min));
  say(context, "max: " + number(s.max));
  say(context, "condition: " + number(s.condition) +
                   (s.zero > 0 ? "  (singular to working accuracy)" : ""));
  say(context, fmt::format("negative: {}", s.negative));
  say(context, fmt::format("zero: {}  (|ev| <= N eps max|ev| = {:.3g})", s.zero, s.zero_tolerance));
  say(context, fmt::format("positive: {}", s.positive));
}

}  // namespace

void add_spectrum_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "spectrum", "All eigenvalues of the exact Hessian of loss + regularizer (ScaLAPACK pdsyev)");
  struct Config {
    NetworkChoice network;
    DataSource data;
    std::string loss = "mse", regularizer = "none", out;
    EngineOptions engine;
  };
  auto config = std::make_shared<Config>();
  add_network_options(*command, config->network, true);
  add_data_options(*command, config->data, "Samples");
  add_objective_options(*command, config->loss, config->regularizer);
  command->add_option("--out", config->out, "Eigenvalues output (.npy, length N, ascending)");
  add_layout_options(*command, config->engine);
  command->callback([config, &context] {
    using Clock = std::chrono::steady_clock;
    const Communicator& comm = context.comm;
    AssembledObjective a = assemble_objective(context, config->network, config->data, config->loss,
                                              config->regularizer, config->engine, [&] {
        const auto parent = std::filesystem::path(config->out).parent_path();
        if (!config->out.empty() && !parent.empty() && !std::filesystem::is_directory(parent))
          throw InvalidArgument("--out " + config->out + ": directory " + parent.string() +
                                " does not exist");
      });
    const Evaluation& e = a.evaluation;
    NewtonEngine& engine = *a.engine;
    const Network& net = a.net;
    const Shard& shard = a.shard;
    const auto start = Clock::now();
    const std::vector<double> eigenvalues = symmetric_eigenvalues(engine.hessian());
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    say(context, fmt::format("loss {:.10g} over {} samples, N = {} parameters, grid {}x{}, nb {}",
                             e.loss, shard.total, net.n_params(), engine.grid().nprow(),
                             engine.grid().npcol(), engine.hessian().block_size()));
    say(context, fmt::format("assembly {:.3f} s, eigensolve {:.3f} s",
                             e.seconds_kernel + e.seconds_reduce, seconds));
    report(context, summarize_spectrum(eigenvalues));
    if (!config->out.empty()) {
      run_agreed(comm, [&] {
        if (comm.is_root())
          save_npy(config->out, eigenvalues.data(), {static_cast<Index>(eigenvalues.size())});
      });
      say(context, "wrote " + config->out);
    }
  });
}

}  // namespace hessnet::cli
