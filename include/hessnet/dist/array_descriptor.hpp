// SPDX-License-Identifier: MIT
#pragma once
/// @file The 9-integer ScaLAPACK array descriptor, with named fields.
#include <array>

namespace hessnet {

/// A ScaLAPACK dense-matrix descriptor (DTYPE_ = 1). Fields are read by name instead of
/// desc[4]; data() is what ScaLAPACK routines take as DESCA.
class ArrayDescriptor {
 public:
  ArrayDescriptor() = default;
  explicit ArrayDescriptor(const std::array<int, 9>& fields) : fields_(fields) {}

  int dtype() const { return fields_[0]; }
  /// BLACS context.
  int context() const { return fields_[1]; }
  /// Global rows and columns.
  int m() const { return fields_[2]; }
  int n() const { return fields_[3]; }
  /// Row and column block sizes.
  int mb() const { return fields_[4]; }
  int nb() const { return fields_[5]; }
  /// Process row and column holding the first block (always 0 in hessnet).
  int rsrc() const { return fields_[6]; }
  int csrc() const { return fields_[7]; }
  /// Leading dimension of the local array.
  int lld() const { return fields_[8]; }

  const int* data() const { return fields_.data(); }

 private:
  std::array<int, 9> fields_{};
};

}  // namespace hessnet
