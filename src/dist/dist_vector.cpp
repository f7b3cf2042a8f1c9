// SPDX-License-Identifier: MIT
#include "hessnet/dist/dist_vector.hpp"

#include <string>

#include "hessnet/dist/collectives.hpp"

namespace hessnet {

void DistVector::set_from_replicated(const Vector& v) {
  if (v.size() != size()) {
    throw DimensionMismatch("DistVector: replicated vector has " + std::to_string(v.size()) + " entries, expected " +
                            std::to_string(size()));
  }
  for_each_local_tile([&](Index i0, Index, Index rows, Index, double* tile, Index) {
    for (Index r = 0; r < rows; ++r) tile[r] = v[i0 + r];
  });
}

Vector DistVector::to_replicated() const {
  // Each entry has exactly one owner, so a sum of owner-filled zero vectors is exact.
  Vector v = Vector::Zero(size());
  for_each_local_tile([&](Index i0, Index, Index rows, Index, const double* tile, Index) {
    for (Index r = 0; r < rows; ++r) v[i0 + r] = tile[r];
  });
  allreduce_sum(grid().communicator(), v);
  return v;
}

}  // namespace hessnet
