// SPDX-License-Identifier: MIT
#include "hessnet/core/parallel.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>

#include "hessnet/core/blas.hpp"

namespace hessnet {
namespace {

// Scalar operations below which a loop stays on one thread (~20-40 us of streaming work),
// and the least work a chunk carries, so the dynamic hand-out costs little against it.
constexpr Index kMinParallelWork = Index{1} << 16;
constexpr Index kMinChunkWork = Index{1} << 14;
constexpr Index kChunksPerThread = 4;

std::atomic<int> g_threads{0};        // 0: as many as BLAS (OPENBLAS_NUM_THREADS or its default)
std::atomic<int> g_share_threads{0};  // 0: parallel_threads()

}  // namespace

void set_parallel_threads(int threads) { g_threads = std::max(1, threads); }

void set_share_threads(int threads) { g_share_threads = std::max(1, threads); }

int share_threads() {
  const int set = g_share_threads;
  return set > 0 ? set : parallel_threads();
}

int parallel_threads() {
  const int set = g_threads;
  return set > 0 ? set : std::max(1, blas::threads());
}

void parallel_for(Index n, Index work_per_item, const std::function<void(Index, Index)>& body) {
  if (n <= 0) return;
  const Index work = n * std::max<Index>(1, work_per_item);
  // Inside a parallel region (a kernel's sample shares) each thread already has its work.
  const Index threads = omp_in_parallel() ? 1 : std::min<Index>({parallel_threads(), n, work / kMinParallelWork});
  if (threads <= 1) {
    body(0, n);
    return;
  }
  const Index by_work = (kMinChunkWork + work_per_item - 1) / std::max<Index>(1, work_per_item);
  const Index chunk = std::max((n + threads * kChunksPerThread - 1) / (threads * kChunksPerThread), by_work);
  const Index chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(dynamic, 1) num_threads(static_cast <int>(threads))
  for (Index c = 0; c < chunks; ++c) body(c * chunk, std::min(n, (c + 1) * chunk));
}

}  // namespace hessnet
