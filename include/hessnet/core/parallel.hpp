// SPDX-License-Identifier: MIT
#pragma once
/// @file A small fork-join loop for the kernels' element-wise work between BLAS calls.
///
/// OpenMP's default active waiting steals the cores OpenBLAS's threads run on next; these
/// workers sleep on a condition variable between loops instead.
#include <functional>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// Runs body(begin, end) over [0, n) split into contiguous blocks, one per thread (the
/// calling thread takes the first). Blocks must write disjoint memory. Not reentrant.
void parallel_for(Index n, const std::function<void(Index begin, Index end)>& body);

/// Threads parallel_for uses (default: as many as BLAS runs); 1 runs loops inline.
void set_parallel_threads(int threads);
int parallel_threads();

}  // namespace hessnet
