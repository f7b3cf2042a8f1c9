// SPDX-License-Identifier: MIT
// hessnet spectrum: every eigenvalue of the exact Hessian of loss + regularizer.
#include <fmt/core.h>

#include <cmath>
#include <optional>

#include "commands.hpp"
#include "hessnet/analysis/spectrum_summary.hpp"
#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/eigensolver.hpp"
#include "hessnet/io/npy.hpp"
#include "shared_options.hpp"

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
  say(context, "condition: " + number(s.condition) + (s.zero > 0 ? "  (singular to working accuracy)" : ""));
  say(context, fmt::format("negative: {}", s.negative));
  say(context, fmt::format("zero: {}  (|ev| <= N eps max|ev| = {:.3g})", s.zero, s.zero_tolerance));
  say(context, fmt::format("positive: {}", s.positive));
}

}  // namespace

void add_spectrum_command(CLI::App& app, Context& context) {
  auto* command =
      app.add_subcommand("spectrum", "All eigenvalues of the exact Hessian of loss + regularizer (ScaLAPACK pdsyev)");
  struct Config {
    NetworkChoice network;
    DataSource data;
    ObjectiveChoice objective;
    std::string out;
    LayoutOptions layout;
  };
  auto config = std::make_shared<Config>();
  add_network_options(*command, config->network, true);
  add_data_options(*command, config->data, "Samples");
  add_objective_options(*command, config->objective);
  command->add_option("--out", config->out, "Eigenvalues output (.npy, length N, ascending)");
  add_layout_options(*command, config->layout);
  command->callback([config, &context] {
    const Communicator& comm = context.comm;
    Setup setup = set_up(context, config->network, config->objective, config->data, [&] {
      check_layout(config->layout);
      std::vector<FileOption> inputs = data_files(config->data);
      inputs.push_back({"--model", config->network.model});
      check_output_files(comm, inputs, {{"--out", config->out}});
      check_npy_names({{"--out", config->out}});
    });
    const AssembledHessian a = assemble_hessian(context, std::move(setup), config->layout, true);
    check_finite_hessian(comm, a);  // pdsyev would only report that it did not converge
    context.plan = a.storage->plan();
    const Evaluation& e = a.evaluation;
    DistMatrix& hessian = a.storage->matrix();
    const Stopwatch clock;
    const std::vector<double> eigenvalues = symmetric_eigenvalues(hessian);
    const double seconds = clock.seconds();
    say(context, fmt::format("loss {:.10g} over {} samples, N = {} parameters, grid {}x{}, nb {}", e.loss,
                             a.objective->shard().total, a.objective->n_params(), a.storage->grid().nprow(),
                             a.storage->grid().npcol(), hessian.block_size()));
    say(context, fmt::format("assembly {:.3f} s, eigensolve {:.3f} s", e.seconds_kernel + e.seconds_reduce, seconds));
    report(context, summarize_spectrum(eigenvalues));
    if (!config->out.empty()) {
      run_agreed(comm, [&] {
        if (comm.is_root()) save_npy(config->out, eigenvalues.data(), {static_cast<Index>(eigenvalues.size())});
      });
      say(context, "wrote " + config->out);
    }
  });
}

}  // namespace hessnet::cli
