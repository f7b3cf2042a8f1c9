// SPDX-License-Identifier: MIT
#pragma once
/// @file Training data split across ranks: each rank holds only its own contiguous rows.
#include <string>
#include <vector>

#include "hessnet/dist/communicator.hpp"
#include "hessnet/io/dataset.hpp"

namespace hessnet {

/// Where the samples come from: one table (CSV or .npy with targets in the last columns),
/// or separate .npy inputs and targets.
struct DataSource {
  std::string table;                            ///< CSV or .npy file with inputs then targets (or a class label)
  std::string inputs;                           ///< .npy inputs, with `targets`
  std::string targets;                          ///< .npy targets
  CsvHeader csv_header = CsvHeader::automatic;  ///< how a CSV table's first line is read
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

/// Local. Throws InvalidArgument "WHAT has T samples, fewer than the P MPI ranks: use fewer
/// ranks" when total < ranks: every rank needs at least one sample.
void check_sample_count(Index total, int ranks, const std::string& what);

/// Local. This rank's rows shard_rows(x.rows(), rank, size) of (x, y), copied.
/// Throws DimensionMismatch when x and y differ in rows.
Shard shard_of(const Communicator& comm, ConstRowMatrixRef x, ConstRowMatrixRef y);

/// Collective. Throws the same CollectiveError on every rank unless every rank's shard has
/// n_in input and n_out target columns, the layout is shard_rows(total, rank, size), and
/// there are at least as many samples as ranks. `what` names the data in the message.
void check_shard(const Communicator& comm, const Shard& shard, Index n_in, Index n_out, const std::string& what);

/// Collective. Reorders the samples of all ranks: afterwards global position k holds the
/// sample that was at global position perm[k] (perm the same on every rank), and each rank
/// again holds its shard_rows block. One MPI_Alltoallv of the rows; O(total) indices per rank.
void permute_samples(const Communicator& comm, Shard& shard, const std::vector<Index>& perm);

/// Collective. The samples at global positions [begin, end) of `shard` (laid out as
/// shard_rows), as a new shard laid out as shard_rows over end - begin samples: each rank
/// sends the rows it holds to their new ranks (one MPI_Alltoallv). E.g. the last tenth of a
/// training set as validation data, and the rest for training.
Shard take_rows(const Communicator& comm, const Shard& shard, Index begin, Index end);

}  // namespace hessnet
