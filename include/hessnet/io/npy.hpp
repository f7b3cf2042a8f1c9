// SPDX-License-Identifier: MIT
#pragma once
/// @file NumPy .npy files: float64 C-order writing, tolerant reading, row-range reads for ranks.
#include <string>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/npy_header.hpp"

namespace hessnet {

/// True when `path` ends in ".npy", in any letter case: data and output files are NumPy
/// arrays by that name, CSV otherwise.
bool has_npy_extension(const std::string& path);

/// Writes `data` (C order, shape `shape`) as a format-1.0 '<f8' .npy file, atomically.
/// @param[in] path   output file, replaced atomically (write_file_atomically).
/// @param[in] data   product(shape) doubles, last index fastest.
/// @param[in] shape  dimensions, each >= 0.
/// @throws InvalidArgument on a negative dimension or a failed write.
void save_npy(const std::string& path, const double* data, std::vector<Index> shape);
/// A vector as a 1-D array of shape (n,), e.g. a flat parameter vector.
void save_npy(const std::string& path, const Vector& vector);
/// A vector written now and put in place by commit() (StagedFile): for a file that must not
/// change unless another one is written too.
StagedFile stage_npy(const std::string& path, const Vector& vector);
/// A row-major matrix as a 2-D C-order array (row s is sample s).
void save_npy(const std::string& path, const RowMatrix& matrix);
/// A column-major matrix, transposed in memory so the file is still C order with the same (i, j).
void save_npy(const std::string& path, const Matrix& matrix);

/// Reads and checks the header only.
/// @throws InvalidArgument naming `path` on a missing file, bad magic, an unknown version, a
///         header that is not a NumPy dict, or a shape whose data the file is too short to hold.
NpyHeader read_npy_header(const std::string& path);

/// Loads a 1-D (n -> n x 1) or 2-D array as doubles.
///
/// dtypes: float64/float32, signed and unsigned integers of 1, 2, 4, 8 bytes, and bool, in
/// either byte order; int64 values beyond 2^53 are rounded. Fortran-order files are accepted
/// and transposed so that element (i, j) is the same as in NumPy.
/// @throws InvalidArgument naming the file for any other dtype, more than 2 dimensions, a
///         truncated file, or anything read_npy_header rejects.
RowMatrix load_npy_matrix(const std::string& path);

/// Loads rows [row_begin, row_end) of a 1-D or 2-D array, reading only those bytes with pread
/// (one call for C order, one per column for Fortran order): each MPI rank reads its shard.
/// @throws InvalidArgument if not 0 <= row_begin <= row_end <= rows, or as load_npy_matrix.
RowMatrix load_npy_rows(const std::string& path, Index row_begin, Index row_end);

/// Loads a 1-D array, or a 2-D array with one column, as a vector (e.g. saved parameters).
/// @throws InvalidArgument for any other shape, or as load_npy_matrix.
Vector load_npy_vector(const std::string& path);

}  // namespace hessnet
