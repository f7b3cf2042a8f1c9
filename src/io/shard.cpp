// SPDX-License-Identifier: MIT
#include "hessnet/io/shard.hpp"

#include <algorithm>
#include <string>

#include "hessnet/core/error.hpp"

namespace hessnet {

std::pair<Index, Index> shard_rows(Index n_rows, int rank, int n_ranks) {
  if (n_rows < 0 || n_ranks < 1 || rank < 0 || rank >= n_ranks)
    throw InvalidArgument("shard_rows: bad arguments n_rows=" + std::to_string(n_rows) +
                          " rank=" + std::to_string(rank) + " n_ranks=" + std::to_string(n_ranks));
  const Index base = n_rows / n_ranks;
  const Index extra = n_rows % n_ranks;
  const Index begin = rank * base + std::min<Index>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

}  // namespace hessnet
