// SPDX-License-Identifier: MIT
// hessnet: Newton's method on the exact Hessian, on one rank or many.
#include <mpi.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "hessnet/core/error.hpp"
#include "hessnet/core/openmp_wait.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/memory_plan.hpp"
#include "hessnet/dist/mpi_environment.hpp"

namespace {

/// A command-line error as one line; an option of another subcommand is named as such (e.g.
/// `hessian --step`), since the user may have expected it to apply.
std::string parse_error_line(CLI::App& app, const CLI::ParseError& e) {
  const auto used = app.get_subcommands();
  if (!used.empty())
    for (const std::string& arg : app.remaining(true))
      for (const CLI::App* other : app.get_subcommands([](const CLI::App*) { return true; }))
        if (other != used.front() && arg.rfind("--", 0) == 0 && other->get_option_no_throw(arg) != nullptr)
          return "hessnet " + used.front()->get_name() + " does not take " + arg + " (an option of " +
                 other->get_name() + ")";
  return e.what();
}

/// An option given an empty value (`--resume ""`, `--save=`) is refused rather than read as
/// "not given": a script whose variable came out empty would otherwise lose its checkpoints or
/// its model without a word.
void reject_empty_values(int argc, char** argv) {
  for (int k = 1; k < argc; ++k) {
    const std::string arg = argv[k];
    const bool option = arg.size() > 1 && arg.front() == '-';
    if (option && arg.ends_with('=')) throw CLI::ValidationError(arg.substr(0, arg.size() - 1), "an empty value");
    if (option && arg.find('=') == std::string::npos && k + 1 < argc && argv[k + 1][0] == '\0')
      throw CLI::ValidationError(arg, "an empty value");
  }
}

}  // namespace

int main(int argc, char** argv) {
  hessnet::use_passive_thread_waits(argv);
  hessnet::MpiEnvironment mpi(argc, argv);
  hessnet::cli::Context context{hessnet::Communicator::world().dup()};
  const bool root = context.comm.is_root();
  CLI::App app{"hessnet: train neural networks with Newton's method on the exact Hessian, on one or many MPI ranks"};
  app.require_subcommand(1);
  app.add_flag("-v,--verbose", context.verbose,
               "Log the memory plan, threads and phases (and the peak memory) on rank 0");
  app.add_option_function<std::string>(
         "--memory-limit",
         [](const std::string& text) {
           try {
             hessnet::set_memory_limit(hessnet::parse_memory_size(text));
           } catch (const hessnet::InvalidArgument& e) {  // as any other bad option: once, on rank 0
             throw CLI::ValidationError("--memory-limit", e.what());
           }
         },
         "Memory the ranks of a node may use together, e.g. 8GiB (default: detected; also HESSNET_MEMORY_LIMIT)")
      ->type_name("BYTES");
  hessnet::cli::add_init_command(app, context);
  hessnet::cli::add_hessian_command(app, context);
  hessnet::cli::add_spectrum_command(app, context);
  hessnet::cli::add_train_command(app, context);
  hessnet::cli::add_predict_command(app, context);
  try {
    // Checked before parsing: a rank whose arguments fail to parse would leave the others
    // waiting in the first collective.
    std::string arguments;
    for (int k = 1; k < argc; ++k) arguments.append(argv[k]).push_back('\0');
    hessnet::require_same_text(context.comm, arguments, "command line");
    // Read now rather than at the first memory plan, where a bad value failed inside a step
    // and aborted the job.
    hessnet::run_agreed(context.comm, [] { hessnet::memory_limit_given(); });
    reject_empty_values(argc, argv);
    app.parse(argc, argv);  // runs the chosen subcommand's callback
    if (context.verbose) hessnet::cli::report_peak_memory(context);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments, so every rank ends up here together.
    if (e.get_exit_code() == 0) return root ? app.exit(e) : 0;  // --help
    if (root) std::cerr << "hessnet: error: " << hessnet::escaped(parse_error_line(app, e), 300) << " (see --help)\n";
    return e.get_exit_code();
  } catch (const hessnet::CollectiveError& e) {
    // Raised on every rank with the same message: report once, exit cleanly.
    if (root) std::cerr << "hessnet: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    // Possibly this rank alone: the others may wait in a collective forever, so abort.
    std::cerr << "hessnet: error";
    if (context.comm.size() > 1) std::cerr << " on rank " << context.comm.rank();
    std::cerr << ": " << e.what() << std::endl;
    if (context.comm.size() > 1) MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  return context.exit_code;
}
