// SPDX-License-Identifier: MIT
#pragma once
/// @file Training data on the ranks: taking a rank's block, checking it, shuffling it.
#include <string>
#include <vector>

#include "hessnet/core/random.hpp"
#include "hessnet/dist/sharded_dataset.hpp"

namespace hessnet {

/// Not collective. This rank's rows shard_rows(x.rows(), rank, size) of (x, y), copied.
/// Throws DimensionMismatch when x and y differ in rows.
Shard shard_of(const Communicator& comm, ConstRowMatrixRef x, ConstRowMatrixRef y);

/// Collective. Throws the same CollectiveError on every rank unless every rank's shard has
/// n_in input and n_out target columns, the layout is shard_rows(total, rank, size), and
/// there are at least as many samples as ranks. `what` names the data in the message.
void check_shard(const Communicator& comm, const Shard& shard, Index n_in, Index n_out,
                 const std::string& what);

/// A uniformly random permutation of 0..n-1 (Fisher-Yates on rng), the same on every
/// platform for the same generator state.
std::vector<Index> random_permutation(Index n, Random& rng);

/// Collective. Reorders the samples of all ranks: afterwards global position k holds the
/// sample that was at global position perm[k] (perm the same on every rank), and each rank
/// again holds its shard_rows block. One MPI_Alltoallv of the rows; O(total) indices per rank.
void permute_samples(const Communicator& comm, Shard& shard, const std::vector<Index>& perm);

}  // namespace hessnet
