// SPDX-License-Identifier: MIT
#include "hessnet/dist/panel_assembler.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <exception>
#include <span>
#include <string>

#include "hessnet/core/parallel.hpp"
#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/triangle_mirror.hpp"

namespace hessnet {

namespace {

/// Entries on or below the diagonal in columns [c0, c1) of an n x n matrix.
Index lower_entries(Index n, Index c0, Index c1) { return (c1 - c0) * (n - c0) - (c1 - c0) * (c1 - c0 - 1) / 2; }

/// Checks H and the bounds on every rank and that all ranks passed the same bounds, then
/// throws on all ranks together, so a bad call cannot leave some ranks in a collective.
void check_arguments(const DistMatrix& H, const std::vector<Index>& bounds) {
  const Index n = H.rows();
  bool square = H.rows() == H.cols();
  bool ordered = bounds.size() >= 1 && bounds.front() == 0 && bounds.back() == n;
  std::uint64_t checksum = 1469598103934665603ULL;
  for (std::size_t k = 0; k < bounds.size(); ++k) {
    if (k > 0 && bounds[k] <= bounds[k - 1]) ordered = false;
    checksum = (checksum ^ static_cast<std::uint64_t>(bounds[k])) * 1099511628211ULL;
  }
  // One allreduce (max) of each value and its complement: max and min together.
  std::array<std::int64_t, 6> values = {square ? 0 : 1,
                                        ordered ? 0 : 1,
                                        static_cast<std::int64_t>(bounds.size()),
                                        -static_cast<std::int64_t>(bounds.size()),
                                        static_cast<std::int64_t>(checksum >> 1),
                                        -static_cast<std::int64_t>(checksum >> 1)};
  const Communicator& comm = H.grid().communicator();
  HESSNET_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_MAX, comm.get()));
  HESSNET_CHECK(values[0] == 0, "assemble_lower: H is " + std::to_string(H.rows()) + "x" + std::to_string(H.cols()) +
                                    ", not square, on some rank");
  HESSNET_CHECK(values[1] == 0, "assemble_lower: panel bounds must rise strictly from 0 to N = " + std::to_string(n));
  HESSNET_CHECK(values[2] == -values[3] && values[4] == -values[5],
                "assemble_lower: ranks passed different panel bounds");
}

/// Calls fill on a panel (zeroed first unless the caller did); if it throws on any rank,
/// every rank throws.
void fill_panel_collectively(const Communicator& comm, const ProgressingPanelFill& fill, Index c0, Index c1,
                             double* panel, Index ld, bool zero = true, const PanelProgress& progress = {}) {
  if (zero) std::fill(panel, panel + ld * (c1 - c0), 0.0);
  std::exception_ptr failure;
  try {
    fill(c0, c1, panel, ld, progress);
  } catch (...) {
    failure = std::current_exception();
  }
  const bool all_ok = comm.size() == 1 ? !failure : allreduce_and(comm, !failure);
  if (all_ok) return;
  if (failure) std::rethrow_exception(failure);
  throw Error("assemble_lower: fill_local_panel failed on another rank");
}

Index largest_panel(Index n, const std::vector<Index>& bounds) {
  Index largest = 0;
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
    largest = std::max(largest, (n - bounds[k]) * (bounds[k + 1] - bounds[k]));
  }
  return largest;
}

/// One rank: H's own array is the panel (leading dimension N), so the fill adds straight
/// into H with no buffer and no copy; with `mirror` the lower part is then transposed into
/// the upper part in row blocks, for the cache.
void assemble_on_one_rank(DistMatrix& H, const std::vector<Index>& bounds, const ProgressingPanelFill& fill,
                          bool mirror) {
  const Index n = H.rows();
  const Communicator& comm = H.grid().communicator();
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
    const Index c0 = bounds[k];
    const Index c1 = bounds[k + 1];
    double* panel = &H.local(c0, c0);
    for (Index c = c0; c < c1; ++c) std::fill(&H.local(c, c), &H.local(c, c) + (n - c), 0.0);  // lower part only
    fill_panel_collectively(comm, fill, c0, c1, panel, H.lld(), false);
    if (!mirror) continue;
    // Row blocks write disjoint columns of the upper part: the threads take blocks.
    constexpr Index k_rows = 64;
    const Index blocks = (n - c0 + k_rows - 1) / k_rows;
    parallel_for(blocks, k_rows * (c1 - c0), [&](Index b_begin, Index b_end) {
      for (Index r0 = c0 + b_begin * k_rows; r0 < std::min(n, c0 + b_end * k_rows); r0 += k_rows) {
        const Index r1 = std::min(n, r0 + k_rows);
        for (Index c = c0; c < c1; ++c)
          for (Index r = std::max(r0, c + 1); r < r1; ++r) H.local(c, r) = H.local(r, c);
      }
    });
  }
}

}  // namespace

namespace {

/// Columns [c0, c1) of H, held in a buffer with leading dimension N - c0.
struct Panel {
  Index c0 = 0, c1 = 0;
};

/// Several ranks: per panel, the lower entries are summed into their owners' H by a pairwise
/// reduce-scatter sent straight from the panel; with `mirror` the final values then go to
/// the owners of the transposes. Overlapped, panel k's exchange is pending while panel k + 1
/// is filled into the other buffer.
PanelAssemblyTimes assemble(DistMatrix& H, const std::vector<Index>& panel_bounds,
                            const ProgressingPanelFill& fill_local_panel, bool mirror, PanelReduction reduction) {
  check_arguments(H, panel_bounds);
  const BlacsGrid& grid = H.grid();
  const Communicator& comm = grid.communicator();
  PanelAssemblyTimes times;
  if (comm.size() == 1) {  // no exchange; the in-place mirror is not timed apart
    assemble_on_one_rank(H, panel_bounds, fill_local_panel, mirror);
    return times;
  }
  const Index n = H.rows();
  const Index nb = H.block_size();
  const int nprow = grid.nprow();
  const int npcol = grid.npcol();
  const auto nranks = static_cast<std::size_t>(comm.size());
  const auto me = static_cast<std::size_t>(comm.rank());

  Index max_entries = 0;  // the first panel has the most lower entries, but bounds are free
  for (std::size_t k = 0; k + 1 < panel_bounds.size(); ++k)
    max_entries = std::max(max_entries, lower_entries(n, panel_bounds[k], panel_bounds[k + 1]));
  HESSNET_CHECK(max_entries <= INT_MAX,
                "assemble_lower: a panel holds more than INT_MAX entries; "
                "use narrower panels");
  std::vector<std::pair<int, int>> coordinates(nranks);  // (process row, column) of each rank
  for (int pr = 0; pr < nprow; ++pr)
    for (int pc = 0; pc < npcol; ++pc) coordinates[static_cast<std::size_t>(grid.rank_of(pr, pc))] = {pr, pc};

  // The lower entries rank q owns in panel p: in its columns c, the rows >= c of its process
  // row, in runs of one nb block (the whole suffix on a single process row), column by
  // column. Every rank walks them in the same order, so runs need no indices on the wire.
  const auto for_each_run_of = [&](std::size_t q, const Panel& p, auto&& f) {
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    const int pr = coordinates[q].first, pc = coordinates[q].second;
    for (Index c = p.c0; c < p.c1; ++c) {
      if (H.owner_col(c) != pc) continue;
      for_each_block_run(c, n, nb, 0, nprow, [&](Index rb, Index re, int owner) {
        if (owner == pr) f(c, rb, re);
      });
    }
  };
  const auto offset_in = [n](const Panel& p, Index c, Index r) { return (r - p.c0) + (c - p.c0) * (n - p.c0); };
  // This rank's own partial is where its sum starts; returns how many entries it owns.
  const auto copy_own = [&](const Panel& p, const double* buffer) {
    Index own_count = 0;
    for_each_run_of(me, p, [&](Index c, Index rb, Index re) {
      std::copy_n(buffer + offset_in(p, c, rb), re - rb, &H.local(H.local_row(rb), H.local_col(c)));
      own_count += re - rb;
    });
    return own_count;
  };
  const auto runs_in = [&](const Panel& p) {
    return [&, p](int q) {
      DoubleRuns runs;
      for_each_run_of(static_cast<std::size_t>(q), p,
                      [&](Index c, Index rb, Index re) { runs.add(offset_in(p, c, rb), re - rb); });
      return runs;
    };
  };
  const auto add_received_into = [&](const Panel& p) {
    return [&, p](const double* received) {
      for_each_run_of(me, p, [&](Index c, Index rb, Index re) {
        double* to = &H.local(H.local_row(rb), H.local_col(c));
        for (Index t = 0; t < re - rb; ++t) to[t] += received[t];
        received += re - rb;
      });
    };
  };
  const auto panel_at = [&](std::size_t k) { return Panel{panel_bounds[k], panel_bounds[k + 1]}; };
  const std::size_t panels = panel_bounds.size() - 1;
  const auto largest = static_cast<std::size_t>(largest_panel(n, panel_bounds));
  std::vector<double> scratch;  // this rank's share of a panel, received; then the mirror's

  if (reduction == PanelReduction::Sequential) {
    std::vector<double> buffer(largest);
    for (std::size_t k = 0; k < panels; ++k) {
      const Panel p = panel_at(k);
      fill_panel_collectively(comm, fill_local_panel, p.c0, p.c1, buffer.data(), n - p.c0);
      const Stopwatch exchange;
      reduce_scatter_runs(comm, buffer.data(), runs_in(p), copy_own(p, buffer.data()), scratch, add_received_into(p));
      times.exchange += exchange.seconds();
      // The panel buffer is free again: it carries the mirrored entries.
      const Stopwatch mirroring;
      if (mirror) mirror_columns(H, p.c0, p.c1, MirrorDirection::LowerToUpper, buffer, scratch);
      times.mirror += mirroring.seconds();
    }
    return times;
  }

  std::array<std::vector<double>, 2> buffers = {std::vector<double>(largest), std::vector<double>(largest)};
  // Declared after what it reads and writes: if a fill throws (on every rank together), its
  // destructor waits for the pending exchange before they go away.
  PendingReduceScatter pending;
  const PanelProgress progress = [&pending, &times] {
    const Stopwatch clock;
    pending.progress();
    times.exchange += clock.seconds();
  };
  // Panel k's sum, once its exchange arrived; then its buffer is free to carry the mirror.
  const auto complete = [&](std::size_t k) {
    const Panel p = panel_at(k);
    const Stopwatch exchange;
    pending.finish(add_received_into(p));
    times.exchange += exchange.seconds();
    const Stopwatch mirroring;
    if (mirror) mirror_columns(H, p.c0, p.c1, MirrorDirection::LowerToUpper, buffers[k % 2], scratch);
    times.mirror += mirroring.seconds();
  };
  for (std::size_t k = 0; k < panels; ++k) {
    const Panel p = panel_at(k);
    std::vector<double>& buffer = buffers[k % 2];
    fill_panel_collectively(comm, fill_local_panel, p.c0, p.c1, buffer.data(), n - p.c0, true,
                            k > 0 ? progress : PanelProgress{});
    if (k > 0) complete(k - 1);
    const Index own_count = copy_own(p, buffer.data());
    const Stopwatch exchange;
    pending.start(comm, buffer.data(), runs_in(p), own_count, scratch);
    times.exchange += exchange.seconds();
  }
  if (panels > 0) complete(panels - 1);
  return times;
}

/// A PanelFill that ignores the progress calls.
ProgressingPanelFill without_progress(const PanelFill& fill) {
  return [&fill](Index c0, Index c1, double* panel, Index ld, const PanelProgress&) { fill(c0, c1, panel, ld); };
}

}  // namespace

PanelAssemblyTimes assemble_lower(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const PanelFill& fill_local_panel, PanelReduction reduction) {
  return assemble(H, panel_bounds, without_progress(fill_local_panel), false, reduction);
}

PanelAssemblyTimes assemble_lower(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const ProgressingPanelFill& fill_local_panel, PanelReduction reduction) {
  return assemble(H, panel_bounds, fill_local_panel, false, reduction);
}

PanelAssemblyTimes assemble_symmetric(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                      const PanelFill& fill_local_panel, PanelReduction reduction) {
  return assemble(H, panel_bounds, without_progress(fill_local_panel), true, reduction);
}

PanelAssemblyTimes assemble_symmetric(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                      const ProgressingPanelFill& fill_local_panel, PanelReduction reduction) {
  return assemble(H, panel_bounds, fill_local_panel, true, reduction);
}

void assemble_lower_via_allreduce(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const PanelFill& fill_local_panel) {
  check_arguments(H, panel_bounds);
  const BlacsGrid& grid = H.grid();
  const Communicator& comm = grid.communicator();
  const Index n = H.rows();
  std::vector<double> panel(static_cast<std::size_t>(largest_panel(n, panel_bounds)));
  for (std::size_t k = 0; k + 1 < panel_bounds.size(); ++k) {
    const Index c0 = panel_bounds[k];
    const Index c1 = panel_bounds[k + 1];
    const Index ld = n - c0;
    fill_panel_collectively(comm, without_progress(fill_local_panel), c0, c1, panel.data(), ld);
    const auto used = static_cast<std::size_t>(ld * (c1 - c0));
    allreduce_sum(comm, std::span<double>(panel.data(), used));
    for (Index c = c0; c < c1; ++c) {
      if (H.owner_col(c) != grid.mycol()) continue;
      const Index lj = H.local_col(c);
      for (Index li = 0; li < H.local_rows(); ++li) {
        const Index r = H.global_row(li);
        if (r >= c) H.local(li, lj) = panel[static_cast<std::size_t>(r - c0 + (c - c0) * ld)];
      }
    }
  }
}

std::vector<Index> uniform_panel_bounds(Index n, Index width) {
  HESSNET_CHECK(n >= 0, "uniform_panel_bounds: negative size " + std::to_string(n));
  HESSNET_CHECK(width >= 1, "uniform_panel_bounds: width must be >= 1, got " + std::to_string(width));
  std::vector<Index> bounds;
  bounds.reserve(static_cast<std::size_t>(n / width + 2));
  for (Index b = 0; b < n; b += width) bounds.push_back(b);
  bounds.push_back(n);
  return bounds;
}

std::size_t panel_buffer_bytes(Index n, Index width, int nranks, PanelReduction reduction) {
  HESSNET_CHECK(n >= 0 && width >= 1 && nranks >= 1, "panel_buffer_bytes: need n >= 0, width >= 1, nranks >= 1");
  if (nranks == 1) return 0;  // H itself is the panel
  const Index w = std::min(width, n);
  const auto packed = static_cast<double>(lower_entries(n, 0, w));
  const auto panel = static_cast<double>(n * w);
  if (reduction == PanelReduction::Overlapped)  // two buffers, a receive block per step
    return static_cast<std::size_t>(2 * panel + packed * (nranks - 1) / nranks) * sizeof(double);
  return static_cast<std::size_t>(panel + packed / nranks) * sizeof(double);
}

}  // namespace hessnet
