// SPDX-License-Identifier: MIT
#pragma once
// The per-epoch CSV log of `hessnet train --log`, and its rows inside a checkpoint.
#include <optional>
#include <string>
#include <vector>

#include "hessnet/train/checkpoint.hpp"

namespace hessnet::cli {

/// One line of the --log file.
struct LogRow {
  int epoch = 0;
  double train = 0;
  std::optional<double> valid, accuracy, lambda;
  int escalations = 0;
  double assembly = 0, solve = 0, total = 0;
  int factorizations = 0, evaluations = 0;
  std::optional<double> radius, mu;      ///< trust-region's radius, levenberg-marquardt's mu after the update
  std::string stop_reason;               ///< in the last row: why training ended (Optimizer::stop_reason)
  std::optional<double> min_eigenvalue;  ///< with --log-curvature
};

/// Rewrites `path` atomically with a header and `rows`; the min_eigenvalue column only when
/// `curvature` is set.
void write_log(const std::string& path, const std::vector<LogRow>& rows, bool curvature);

/// The rows as a JSON document for Checkpoint::extra_json (doubles exact, NaN as "NaN").
std::string log_rows_to_json(const std::vector<LogRow>& rows);

/// The rows of a checkpoint: from its extra_json when it holds them, else rebuilt from its
/// error histories (epoch, train_loss and valid_loss only). Throws InvalidArgument naming
/// `source` when extra_json holds malformed rows.
std::vector<LogRow> log_rows_of(const Checkpoint& checkpoint, const std::string& source);

}  // namespace hessnet::cli
