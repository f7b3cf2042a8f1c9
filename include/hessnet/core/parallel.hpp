// SPDX-License-Identifier: MIT
#pragma once
/// @file The kernels' element-wise loops between BLAS calls, on OpenMP threads.
#include <functional>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// Runs body(begin, end) over [0, n) in contiguous chunks handed out dynamically, so a thread
/// the OS has descheduled (a busy or oversubscribed node) holds up one small chunk, not a
/// 1/T share. `work_per_item` (about the scalar operations one item costs) keeps small loops
/// on the calling thread: below a few tens of microseconds of work the fork and join cost
/// more than they save. Chunks must write disjoint memory; body must not throw.
void parallel_for(Index n, Index work_per_item, const std::function<void(Index begin, Index end)>& body);

/// Threads parallel_for uses (default: as many as BLAS runs); 1 runs loops inline.
void set_parallel_threads(int threads);
int parallel_threads();

/// Threads for work cut into independent shares that never wait for each other midway (the
/// Hessian kernel's sample shares, each on one BLAS thread): the count the rank was placed
/// with, kept while a busy node makes BLAS and parallel_for run fewer, since such shares lose
/// only their own time slices to other processes, not spin at sync points (default:
/// parallel_threads()).
void set_share_threads(int threads);
int share_threads();

}  // namespace hessnet
