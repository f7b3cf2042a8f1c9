// SPDX-License-Identifier: MIT
#include "hessnet/dist/triangle_mirror.hpp"

#include <algorithm>
#include <string>

#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/collectives.hpp"

namespace hessnet {

namespace {

/// The strictly lower entries (r, c), c in [c0, c1), that this rank owns and their
/// transposes (c, r) that it owns, as runs of one nb block: lower runs are contiguous in a
/// local column, upper runs step along a local row. Each run is reported with the rank
/// owning the other position, in the order both sides agree on.
class MirrorRuns {
 public:
  MirrorRuns(const DistMatrix& H, Index c0, Index c1) : H_(H), c0_(c0) {
    const Index nb = H.block_size();
    const int npcol = H.grid().npcol();
    const int mycol = H.grid().mycol();
    for (Index lj = numroc(c0, nb, mycol, 0, npcol); lj < numroc(c1, nb, mycol, 0, npcol); ++lj)
      my_cols_.push_back(H.global_col(lj));
    for (Index c = c0; c < c1; ++c)
      if (H.owner_row(c) == H.grid().myrow()) my_rows_.push_back(c);
  }

  /// f(rank owning (c, r), local row of r, local column of c, length): rows r of one run.
  template <class F>
  void for_each_lower_run(F&& f) const {
    const BlacsGrid& grid = H_.grid();
    for_each_block([&](Index rb, Index re) {
      if (H_.owner_row(rb) != grid.myrow()) return;
      const Index li0 = H_.local_row(rb);
      const int other_col = H_.owner_col(rb);
      for (const Index c : my_cols_) {
        if (c + 1 >= re) break;
        const Index r0 = std::max(rb, c + 1);
        f(grid.rank_of(H_.owner_row(c), other_col), li0 + (r0 - rb), H_.local_col(c), re - r0);
      }
    });
  }

  /// f(rank owning (r, c), local row of c, local column of r, length): columns r of one run.
  template <class F>
  void for_each_upper_run(F&& f) const {
    const BlacsGrid& grid = H_.grid();
    for_each_block([&](Index rb, Index re) {
      if (H_.owner_col(rb) != grid.mycol()) return;
      const Index lj0 = H_.local_col(rb);
      const int other_row = H_.owner_row(rb);
      for (const Index c : my_rows_) {
        if (c + 1 >= re) break;
        const Index r0 = std::max(rb, c + 1);
        f(grid.rank_of(other_row, H_.owner_col(c)), H_.local_row(c), lj0 + (r0 - rb), re - r0);
      }
    });
  }

 private:
  template <class F>
  void for_each_block(F&& f) const {
    const Index n = H_.rows(), nb = H_.block_size();
    for (Index rb = (c0_ + 1) / nb * nb; rb < n; rb += nb) f(rb, std::min(n, rb + nb));
  }

  const DistMatrix& H_;
  Index c0_;
  std::vector<Index> my_cols_, my_rows_;  // of the panel, ascending
};

}  // namespace

void mirror_columns(DistMatrix& H, Index c0, Index c1, MirrorDirection direction, std::vector<double>& send,
                    std::vector<double>& receive) {
  const auto nranks = static_cast<std::size_t>(H.grid().communicator().size());
  const MirrorRuns runs(H, c0, c1);
  const bool lower_to_upper = direction == MirrorDirection::LowerToUpper;
  // The source triangle's runs are packed, the target's unpacked; a lower run steps down a
  // column (stride 1), an upper run along a row (stride lld).
  const auto for_each_source_run = [&](auto&& f) {
    if (lower_to_upper)
      runs.for_each_lower_run([&](int q, Index li, Index lj, Index len) { f(q, li, lj, len, Index{1}); });
    else
      runs.for_each_upper_run([&](int q, Index li, Index lj, Index len) { f(q, li, lj, len, H.lld()); });
  };
  const auto for_each_target_run = [&](auto&& f) {
    if (lower_to_upper)
      runs.for_each_upper_run([&](int q, Index li, Index lj, Index len) { f(q, li, lj, len, H.lld()); });
    else
      runs.for_each_lower_run([&](int q, Index li, Index lj, Index len) { f(q, li, lj, len, Index{1}); });
  };

  std::vector<int> send_counts(nranks, 0), receive_counts(nranks, 0);
  for_each_source_run([&](int q, Index, Index, Index len, Index) {
    send_counts[static_cast<std::size_t>(q)] += static_cast<int>(len);
  });
  for_each_target_run([&](int q, Index, Index, Index len, Index) {
    receive_counts[static_cast<std::size_t>(q)] += static_cast<int>(len);
  });
  std::vector<int> send_displs(nranks, 0), receive_displs(nranks, 0);
  for (std::size_t q = 1; q < nranks; ++q) {
    send_displs[q] = send_displs[q - 1] + send_counts[q - 1];
    receive_displs[q] = receive_displs[q - 1] + receive_counts[q - 1];
  }
  send.resize(std::max(send.size(), static_cast<std::size_t>(send_displs.back() + send_counts.back())));
  receive.resize(std::max(receive.size(), static_cast<std::size_t>(receive_displs.back() + receive_counts.back())));

  std::vector<Index> cursor(send_displs.begin(), send_displs.end());
  for_each_source_run([&](int q, Index li, Index lj, Index len, Index stride) {
    const double* from = &H.local(li, lj);
    double* to = send.data() + cursor[static_cast<std::size_t>(q)];
    for (Index t = 0; t < len; ++t) to[t] = from[t * stride];
    cursor[static_cast<std::size_t>(q)] += len;
  });
  alltoallv(H.grid().communicator(), send, send_counts, send_displs, receive, receive_counts, receive_displs);
  cursor.assign(receive_displs.begin(), receive_displs.end());
  for_each_target_run([&](int q, Index li, Index lj, Index len, Index stride) {
    const double* from = receive.data() + cursor[static_cast<std::size_t>(q)];
    double* to = &H.local(li, lj);
    for (Index t = 0; t < len; ++t) to[t * stride] = from[t];
    cursor[static_cast<std::size_t>(q)] += len;
  });
}

void mirror_triangle(DistMatrix& H, MirrorDirection direction, Index width) {
  HESSNET_CHECK(H.rows() == H.cols(),
                "mirror_triangle: H is " + std::to_string(H.rows()) + "x" + std::to_string(H.cols()) + ", not square");
  HESSNET_CHECK(width >= 1, "mirror_triangle: width must be >= 1, got " + std::to_string(width));
  std::vector<double> send, receive;
  for (Index c0 = 0; c0 < H.rows(); c0 += width)
    mirror_columns(H, c0, std::min(H.rows(), c0 + width), direction, send, receive);
}

}  // namespace hessnet
