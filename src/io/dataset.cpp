// SPDX-License-Identifier: MIT
#include "hessnet/io/dataset.hpp"

#include <fmt/format.h>

#include <cmath>

#include "hessnet/core/error.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/npy.hpp"

namespace hessnet {

Dataset split_columns(const RowMatrix& table, Index n_in, Index n_out, const std::string& source_name,
                      Index first_row) {
  HESSNET_CHECK(n_in > 0 && n_out > 0, "split_columns needs n_in > 0 and n_out > 0");
  const Index rows = table.rows(), cols = table.cols();
  if (cols == n_in + n_out) return {table.leftCols(n_in), table.rightCols(n_out)};
  if (n_out == 1 || cols != n_in + 1)
    throw DimensionMismatch(fmt::format(
        "file '{}' has {} columns, the network needs n_in + n_out = {} + {} = {}{}", source_name, cols, n_in, n_out,
        n_in + n_out, n_out > 1 ? fmt::format(" (or n_in + 1 = {} with a class label)", n_in + 1) : ""));
  Dataset data{table.leftCols(n_in), RowMatrix::Zero(rows, n_out)};
  for (Index s = 0; s < rows; ++s) {
    const double label = table(s, n_in);
    if (!(label >= 0 && label < static_cast<double>(n_out) && label == std::floor(label)))
      throw InvalidArgument(fmt::format("'{}': row {} (from 0) has class label {}, not an integer in [0, {})",
                                        source_name, first_row + s, label, n_out));
    data.targets(s, static_cast<Index>(label)) = 1.0;
  }
  return data;
}

void check_finite_data(ConstRowMatrixRef table, const std::string& source, Index first_row) {
  if (table.allFinite()) return;
  for (Index r = 0; r < table.rows(); ++r)
    for (Index c = 0; c < table.cols(); ++c)
      if (!std::isfinite(table(r, c)))
        throw InvalidArgument(fmt::format("'{}': row {}, column {} (from 0) is {}: the data must be finite numbers",
                                          source, first_row + r, c, table(r, c)));
}

Index npy_data_rows(const NpyHeader& header, const std::string& path) {
  if (header.shape.empty()) throw InvalidArgument("'" + path + "' holds a 0-d array (one number), not rows of samples");
  if (header.shape[0] == 0)
    throw InvalidArgument("'" + path + "' has no rows (shape " + npy_shape_string(header.shape) + ")");
  return header.shape[0];
}

Dataset load_dataset(const std::string& path, Index n_in, Index n_out, CsvHeader header) {
  if (!has_npy_extension(path)) return split_columns(read_csv_matrix(path, header), n_in, n_out, path);
  const RowMatrix table = load_npy_matrix(path);
  npy_data_rows(read_npy_header(path), path);
  check_finite_data(table, path);
  return split_columns(table, n_in, n_out, path);
}

}  // namespace hessnet
