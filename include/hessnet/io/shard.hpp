// SPDX-License-Identifier: MIT
#pragma once
/// @file Which rows of a data set each MPI rank reads: pure index math, no MPI.
#include <utility>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// Contiguous, balanced block of rows [begin, end) for `rank` out of `n_ranks`.
///
/// Rank r gets floor(n/P) rows, plus one if r < n mod P, so sizes differ by at most one and the
/// first ranks hold the extra rows; the blocks cover 0..n_rows-1 exactly once, in rank order.
/// @param[in] n_rows   rows in the data set, >= 0 (a rank may get an empty block).
/// @param[in] rank     0 <= rank < n_ranks.
/// @param[in] n_ranks  number of ranks, >= 1.
/// @return {begin, end} with end - begin rows.
/// @throws InvalidArgument on a negative n_rows or a rank out of range.
std::pair<Index, Index> shard_rows(Index n_rows, int rank, int n_ranks);

}  // namespace hessnet
