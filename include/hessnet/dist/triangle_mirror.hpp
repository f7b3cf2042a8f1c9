// SPDX-License-Identifier: MIT
#pragma once
/// @file Copies one triangle of a distributed square matrix onto the other (a distributed
/// transpose of the rank's own entries), panel by panel, with bounded buffers.
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

enum class MirrorDirection {
  LowerToUpper,  ///< (c, r) = (r, c) for r > c
  UpperToLower,  ///< (r, c) = (c, r) for r > c
};

/// Collective over H's grid. For the entries (r, c), r > c, c in [c0, c1), copies the
/// strictly lower entry onto its transpose or back, as `direction` says; the diagonal and
/// everything outside those entries are untouched. Every rank sends each of its source
/// entries once to the owner of the transposed position (an all-to-all of its own share,
/// no sums). Both sides walk nb blocks of r ascending and, within a block, c ascending, so
/// no indices travel and the strided side is written or read one nb-wide tile at a time.
/// `send` and `receive` are grown as needed and may be reused across calls.
void mirror_columns(DistMatrix& H, Index c0, Index c1, MirrorDirection direction, std::vector<double>& send,
                    std::vector<double>& receive);

/// Collective. mirror_columns over all of H in panels of `width` columns, so that each
/// rank's buffers stay near 8 N width / P bytes.
void mirror_triangle(DistMatrix& H, MirrorDirection direction, Index width);

}  // namespace hessnet
