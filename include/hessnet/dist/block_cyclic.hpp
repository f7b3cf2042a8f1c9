// SPDX-License-Identifier: MIT
#pragma once
/// @file Index math of the 1D block-cyclic distribution that ScaLAPACK applies to rows
/// (over process rows) and columns (over process columns) independently. Pure functions of
/// integers, no MPI, so they are unit-tested without mpiexec.
///
/// All indices are 0-based (ScaLAPACK's are 1-based). Global index g lies in block g / nb;
/// block k belongs to process (isrcproc + k) mod nprocs; on that process it is local block
/// k / nprocs. Preconditions everywhere: nb >= 1, nprocs >= 1, 0 <= iproc, isrcproc < nprocs.
#include "hessnet/core/grid_shape.hpp"
#include "hessnet/core/types.hpp"

namespace hessnet {

/// Number of indices in [0, n) that process `iproc` owns (ScaLAPACK NUMROC).
/// numroc(c, ...) is therefore also the local index of the first owned global index >= c.
constexpr Index numroc(Index n, Index nb, int iproc, int isrcproc, int nprocs) {
  const Index distance = (nprocs + iproc - isrcproc) % nprocs;
  const Index blocks = n / nb;
  Index count = (blocks / nprocs) * nb;
  const Index extra_blocks = blocks % nprocs;
  if (distance < extra_blocks) {
    count += nb;
  } else if (distance == extra_blocks) {
    count += n % nb;
  }
  return count;
}

/// Number of indices in [begin, end) that process `iproc` owns.
constexpr Index owned_count(Index begin, Index end, Index nb, int iproc, int isrcproc, int nprocs) {
  return numroc(end, nb, iproc, isrcproc, nprocs) - numroc(begin, nb, iproc, isrcproc, nprocs);
}

/// Process that owns global index `global` (ScaLAPACK INDXG2P).
constexpr int owner_of(Index global, Index nb, int isrcproc, int nprocs) {
  return static_cast<int>((isrcproc + global / nb) % nprocs);
}

/// Index of `global` inside its owner's local array (ScaLAPACK INDXG2L).
constexpr Index local_index(Index global, Index nb, int nprocs) { return (global / (nb * nprocs)) * nb + global % nb; }

/// Global index of local index `local` on process `iproc` (ScaLAPACK INDXL2G).
constexpr Index global_index(Index local, Index nb, int iproc, int isrcproc, int nprocs) {
  const Index distance = (nprocs + iproc - isrcproc) % nprocs;
  return ((local / nb) * nprocs + distance) * nb + local % nb;
}

/// Calls f(run_begin, run_end, owner) for consecutive runs covering [begin, end) in order,
/// each run inside one block (so one owner, at most nb indices; the whole range when
/// nprocs == 1). One division for the whole walk: owners advance cyclically, not per index.
template <class F>
void for_each_block_run(Index begin, Index end, Index nb, int isrcproc, int nprocs, F&& f) {
  if (begin >= end) return;
  if (nprocs == 1) {
    f(begin, end, isrcproc);
    return;
  }
  const Index first_block = begin / nb;
  int owner = static_cast<int>((isrcproc + first_block) % nprocs);
  Index run_end = (first_block + 1) * nb;
  for (Index run_begin = begin; run_begin < end; run_begin = run_end, run_end += nb) {
    f(run_begin, run_end < end ? run_end : end, owner);
    if (++owner == nprocs) owner = 0;
  }
}

}  // namespace hessnet
