// SPDX-License-Identifier: MIT
#include "shared_options.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/io/npy.hpp"

namespace hessnet::cli {

void add_data_options(CLI::App& command, DataSource& source, const std::string& what) {
  auto* data = command.add_option("--data", source.table,
                                  what + ": CSV (optional header; inputs then targets, or a class label) or .npy");
  auto* inputs = command.add_option("--inputs", source.inputs, "Inputs as .npy (with --targets)")->excludes(data);
  command.add_option("--targets", source.targets, "Targets as .npy (with --inputs)")->excludes(data)->needs(inputs);
  inputs->needs(command.get_option("--targets"));
  add_csv_header_option(command, source.csv_header);
}

void add_csv_header_option(CLI::App& command, CsvHeader& header) {
  static const std::map<std::string, CsvHeader> rules{
      {"auto", CsvHeader::automatic}, {"yes", CsvHeader::present}, {"no", CsvHeader::absent}};
  command
      .add_option_function<std::string>(
          "--csv-header", [&header](const std::string& rule) { header = rules.at(rule); },
          "Is a CSV's first line column names? auto (default): when it is not all numbers, and 0,1,...,k-1 is "
          "refused as ambiguous; yes; no")
      ->check(CLI::IsMember({"auto", "yes", "no"}));
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
  command
      .add_option("--overlap", layout.assembly.overlap,
                  "on: sum each panel while the next is computed (two panel buffers, so narrower panels); off")
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
  command.add_option("--seed", choice.seed, seed_help)->capture_default_str()->check(unsigned_integer());
}

namespace {

namespace fs = std::filesystem;

/// The absolute path with "." and ".." resolved and existing symbolic links followed.
fs::path normalised(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  const fs::path canonical = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : canonical;
}

/// Throws unless rank 0 can create a file beside the one a write to `path` replaces (through
/// symbolic links): creates and removes a probe file there.
void check_writable(const FileOption& out) {
  const fs::path file = file_behind(out.path);
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const std::string where = out.option + " " + out.path;
  std::error_code error;
  if (fs::is_directory(file, error)) throw InvalidArgument(where + " is a directory, not a file");
  if (fs::exists(file, error) && !fs::is_regular_file(file, error))
    throw InvalidArgument(where + " is not a regular file (a device, FIFO or socket): outputs replace their file");
  if (!fs::is_directory(dir, error)) throw InvalidArgument(where + ": directory '" + dir.string() + "' does not exist");
  const fs::path probe = dir / (".hessnet-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw InvalidArgument(where + ": cannot write in '" + dir.string() + "': " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace

void check_layout(const LayoutOptions& layout) {
  if (layout.block_size < 1) throw InvalidArgument("--block must be >= 1, got " + std::to_string(layout.block_size));
  if (layout.block_size > std::numeric_limits<int>::max())
    throw InvalidArgument("--block " + std::to_string(layout.block_size) + " is too large (at most " +
                          std::to_string(std::numeric_limits<int>::max()) + ")");
  if (layout.assembly.panel_width < 0)
    throw InvalidArgument("--panel must be >= 0, got " + std::to_string(layout.assembly.panel_width));
}

std::vector<FileOption> data_files(const DataSource& source) {
  return {{"--data", source.table}, {"--inputs", source.inputs}, {"--targets", source.targets}};
}

bool same_file(const std::string& a, const std::string& b) {
  if (normalised(a) == normalised(b)) return true;
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void check_distinct_files(const std::vector<FileOption>& inputs, const std::vector<FileOption>& outputs) {
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const FileOption& out = outputs[k];
    if (out.path.empty()) continue;
    for (const FileOption& in : inputs)
      if (!in.path.empty() && same_file(out.path, in.path))
        throw InvalidArgument(out.option + " " + out.path + " is the " + in.option + " input " + in.path +
                              ": writing it would destroy that input; choose another output file");
    for (std::size_t j = 0; j < k; ++j)
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path))
        throw InvalidArgument(out.option + " " + out.path + " is also the " + outputs[j].option + " output " +
                              outputs[j].path + ": one would overwrite the other");
  }
}

void check_writable_files(const std::vector<FileOption>& outputs) {
  for (const FileOption& out : outputs)
    if (!out.path.empty()) check_writable(out);
}

void check_output_files(const Communicator& comm, const std::vector<FileOption>& inputs,
                        const std::vector<FileOption>& outputs) {
  if (!comm.is_root()) return;
  check_distinct_files(inputs, outputs);
  check_writable_files(outputs);
}

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](std::string& text) {
        if (text.starts_with('-')) return "must be >= 0, got " + text;
        // Decimal digits only, all of them read here: a sign, spaces or a base prefix would
        // reach CLI11's own conversion, which saturates beyond 2^64 - 1 without a word.
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || end != text.data() + text.size() || error == std::errc::invalid_argument)
          return "must be a decimal integer in [0, 18446744073709551615], got " + text;
        if (error == std::errc::result_out_of_range) return "must be at most 18446744073709551615, got " + text;
        return std::string();
      },
      "UINT");
}

void check_npy_names(const std::vector<FileOption>& outputs) {
  for (const FileOption& o : outputs)
    if (!o.path.empty() && !has_npy_extension(o.path))
      throw InvalidArgument(o.option + " " + hessnet::quoted(o.path) +
                            ": written as .npy, so the name must end in .npy");
}

Network make_network(const Communicator& comm, const NetworkChoice& choice) {
  std::optional<Network> net;
  run_agreed(comm, [&] {
    try {
      if (!choice.model.empty())
        net = load_model(choice.model);
      else if (!choice.network.empty())
        net = Network::he_normal(parse_architecture(choice.network), choice.seed);
      else
        throw InvalidArgument("give the network as --model FILE or --network \"Input(n) >> ...\"");
    } catch (const std::bad_alloc&) {
      throw InvalidArgument("the network of " + (choice.model.empty() ? "--network" : "model file " + choice.model) +
                            " does not fit in memory");
    }
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
    // The library's bare "l2" takes a default rate; on the command line that is more likely a slip.
    if (regularizer.active() && objective.regularizer.find(':') == std::string::npos)
      throw InvalidArgument("--regularizer " + objective.regularizer + " needs a decay rate, e.g. " +
                            objective.regularizer + ":0.01");
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
    check_layout(layout);
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
