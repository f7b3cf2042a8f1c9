// SPDX-License-Identifier: MIT
#pragma once
/// @file The header of a NumPy .npy file: the dict literal NumPy writes, read and written.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// What the header of a .npy file says (format versions 1.0, 2.0 and 3.0).
struct NpyHeader {
  int major_version = 1;
  int minor_version = 0;
  std::string dtype;              ///< NumPy descr, e.g. "<f8", "<i4", "|u1"
  bool fortran_order = false;     ///< true: column-major data
  std::vector<Index> shape;       ///< empty for a 0-d array
  std::uint64_t data_offset = 0;  ///< bytes before the first element

  /// Product of the shape (1 for a 0-d array).
  Index element_count() const;
};

/// A shape as Python prints a tuple: "(3, 4)", "(3,)", "()".
std::string npy_shape_string(const std::vector<Index>& shape);

/// Everything before the data of a format-1.0 '<f8' C-order file of this shape: magic, version,
/// header length and the dict padded with spaces and '\n' to a multiple of 64 bytes.
/// @throws InvalidArgument on a negative dimension.
std::string format_npy_header(const std::vector<Index>& shape);

/// Parses the dict `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` into the
/// dtype, fortran_order and shape of a header (version and data_offset are left as they are).
/// @param[in] source  file name for error messages.
/// @throws InvalidArgument naming `source` when a key is missing, unknown or malformed, or the
///         dtype is a record (a list descr).
NpyHeader parse_npy_dict(std::string_view dict, const std::string& source);

}  // namespace hessnet
