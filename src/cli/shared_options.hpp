// SPDX-License-Identifier: MIT
#pragma once
// Options and set-up shared by the subcommands.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

/// --csv-header auto|yes|no (see CsvHeader); add_data_options adds it too.
void add_csv_header_option(CLI::App& command, CsvHeader& header);

/// The loss and regularizer as given on the command line; checked once, in set_up.
struct ObjectiveChoice {
  std::string loss = "mse";
  std::string regularizer = "none";
};
/// --loss NAME and --regularizer KIND:RATE.
void add_objective_options(CLI::App& command, ObjectiveChoice& choice);

/// --grid PxQ, --block NB and --panel COLUMNS.
void add_layout_options(CLI::App& command, LayoutOptions& layout);

/// Throws unless --block is in [1, INT_MAX] (ScaLAPACK descriptors hold an int), with the
/// option's name: the library's own checks know only its field.
void check_layout(const LayoutOptions& layout);

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

/// A file named on the command line, by its option (e.g. {"--save", "model.json"}).
/// Refuses a leading '-' for an unsigned option, which CLI11 would wrap to a huge value.
CLI::Validator unsigned_integer();

struct FileOption {
  std::string option;
  std::string path;
};
/// The data files of `source`, as options.
std::vector<FileOption> data_files(const DataSource& source);
/// Throws when an output would destroy an input or another output: the same path once
/// normalised, or the same existing file by device and inode. Empty paths are skipped.
void check_distinct_files(const std::vector<FileOption>& inputs, const std::vector<FileOption>& outputs);
/// Throws unless a file can be created where each output goes (a probe file is created and
/// removed there), so that a bad path is found before the work rather than after it.
void check_writable_files(const std::vector<FileOption>& outputs);
/// Both checks, before any work. Run it on every rank together (inside set_up's check or
/// run_agreed): only rank 0 looks at the file system, the error reaches every rank.
void check_output_files(const Communicator& comm, const std::vector<FileOption>& inputs,
                        const std::vector<FileOption>& outputs);
/// Throws InvalidArgument for a given output whose name does not end in .npy: those outputs are
/// always written as .npy, and `g.csv` holding .npy bytes would mislead whoever reads it.
void check_npy_names(const std::vector<FileOption>& outputs);
/// True when `a` and `b` name the same file, as check_output_files compares them.
bool same_file(const std::string& a, const std::string& b);

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

/// Collective. require_finite_evaluation of the assembled H: nothing is written, and no
/// eigensolver is handed a matrix it cannot converge on.
inline void check_finite_hessian(const Communicator& comm, const AssembledHessian& a) {
  require_finite_evaluation(comm, a.evaluation, &a.storage->matrix());
}

}  // namespace hessnet::cli
