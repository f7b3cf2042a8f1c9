// SPDX-License-Identifier: MIT
// hessnet predict: a model's outputs for the samples of a CSV or .npy file (rank 0 works).
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/dataset.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/io/npy.hpp"
#include "shared_options.hpp"

namespace hessnet::cli {
namespace {

struct PredictConfig {
  std::string model, data, out;
  CsvHeader csv_header = CsvHeader::automatic;
};

// The predictions are .npy or CSV; another extension (p.npz, p.json, p.tsv) would get CSV bytes
// under a name that promises something else, so it is refused before any work.
void check_predictions_name(const std::string& out) {
  if (has_npy_extension(out)) return;
  std::string extension = std::filesystem::path(out).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (extension.empty() || extension == ".csv" || extension == ".txt") return;
  throw InvalidArgument("--out " + hessnet::quoted(out) + ": predictions are written as .npy or CSV, so the name " +
                        "must end in .npy, .csv or .txt (or have no extension)");
}

}  // namespace

void add_predict_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("predict", "Write a model's predictions for the samples of a file");
  auto config = std::make_shared<PredictConfig>();
  command->add_option("--model", config->model, "Model file (JSON)")->required();
  command->add_option("--data", config->data, "Inputs (CSV or .npy): the first n_in columns; any others are ignored")
      ->required();
  add_csv_header_option(*command, config->csv_header);
  command->add_option("--out", config->out, "Predictions, one row per sample (.npy; .csv, .txt or no extension: CSV)")
      ->required();
  command->callback([config, &context] {
    const Communicator& comm = context.comm;
    Index rows = 0, cols = 0;
    run_agreed(comm, [&] {  // one rank does the work; its errors reach every rank
      check_output_files(comm, {{"--model", config->model}, {"--data", config->data}}, {{"--out", config->out}});
      check_predictions_name(config->out);
      if (!comm.is_root()) return;
      const Network net = load_model(config->model);
      const bool npy = has_npy_extension(config->data);
      const RowMatrix table = npy ? load_npy_matrix(config->data) : read_csv_matrix(config->data, config->csv_header);
      if (npy) {
        npy_data_rows(read_npy_header(config->data), config->data);
        check_finite_data(table, config->data);
      }
      if (table.cols() < net.inputs())
        throw DimensionMismatch(
            fmt::format("{} has {} columns, the network takes {} inputs", config->data, table.cols(), net.inputs()));
      const RowMatrix predictions = net.predict(RowMatrix(table.leftCols(net.inputs())));
      if (!predictions.allFinite())
        throw InvalidArgument("the predictions are not finite (overflow in the network): " + config->out +
                              " not written");
      rows = predictions.rows();
      cols = predictions.cols();
      if (has_npy_extension(config->out)) {
        save_npy(config->out, predictions);
        return;
      }
      std::vector<std::string> header;
      for (Index j = 0; j < cols; ++j) header.push_back("y" + std::to_string(j));
      write_csv(config->out, predictions, header);
    });
    say(context, fmt::format("wrote {} predictions of {} outputs to {}", rows, cols, config->out));
  });
}

}  // namespace hessnet::cli
