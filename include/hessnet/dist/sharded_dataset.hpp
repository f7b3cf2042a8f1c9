// SPDX-License-Identifier: MIT
#pragma once
/// @file Training data split across ranks: each rank holds only its own contiguous rows.
#include <string>

#include "hessnet/dist/communicator.hpp"
#include "hessnet/io/dataset.hpp"

namespace hessnet {

/// Where the samples come from: one table (CSV or .npy with targets in the last columns),
/// or separate .npy inputs and targets.
struct DataSource {
  std::string table;    ///< CSV or .npy file with inputs then targets (or a class label)
  std::string inputs;   ///< .npy inputs, with `targets`
  std::string targets;  ///< .npy targets
  std::string describe() const { return table.empty() ? inputs + " + " + targets : table; }
};

/// This rank's rows [first, first + local.size()) of `total` samples.
struct Shard {
  Dataset local;
  Index first = 0;
  Index total = 0;
};

/// Collective. Rows are split contiguously and balanced to within one (shard_rows).
/// .npy files are read by every rank at its own offset (never whole); a CSV is parsed on
/// rank 0 and its rows scattered. Errors (missing file, bad shape, fewer samples than
/// ranks) are raised on every rank with the same one-line message.
Shard load_shard(const Communicator& comm, const DataSource& source, Index n_in, Index n_out);

}  // namespace hessnet
