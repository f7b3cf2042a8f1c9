// SPDX-License-Identifier: MIT
#include "hessnet/io/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string_view>

#include "hessnet/core/error.hpp"
#include "hessnet/io/atomic_file.hpp"

namespace hessnet {

namespace {

static_assert(std::endian::native == std::endian::little, "hessnet's .npy code assumes little endian");

[[noreturn]] void bad(const std::string& path, const std::string& message) {
  throw InvalidArgument("'" + path + "': " + message);
}

/// A simple descr such as '<f8': byte order, kind letter, item size.
struct Dtype {
  char order = '<';
  char kind = 'f';
  int size = 8;
  bool swap() const { return order == '>' && size > 1; }
};

bool parse_descr(const std::string& descr, Dtype& t) {
  if (descr.size() < 3 || std::strchr("<>|=", descr[0]) == nullptr) return false;
  t.order = descr[0];
  t.kind = descr[1];
  t.size = 0;
  for (std::size_t i = 2; i < descr.size(); ++i) {
    if (descr[i] < '0' || descr[i] > '9' || t.size > 1000) return false;
    t.size = 10 * t.size + (descr[i] - '0');
  }
  return t.size > 0;
}

bool supported(const Dtype& t) {
  const bool power_of_two = t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8;
  return (t.kind == 'f' && (t.size == 4 || t.size == 8)) || ((t.kind == 'i' || t.kind == 'u') && power_of_two) ||
         (t.kind == 'b' && t.size == 1);
}

double decode(const unsigned char* p, const Dtype& t) {
  unsigned char b[8];
  std::memcpy(b, p, static_cast<std::size_t>(t.size));
  if (t.swap()) std::reverse(b, b + t.size);
  const auto as = [&b](auto value) {
    std::memcpy(&value, b, sizeof value);
    return static_cast<double>(value);
  };
  switch (t.kind * 16 + t.size) {  // kinds differ by more than 8, so the keys are distinct
    case 'f' * 16 + 8:
      return as(double{});
    case 'f' * 16 + 4:
      return as(float{});
    case 'i' * 16 + 1:
      return as(std::int8_t{});
    case 'i' * 16 + 2:
      return as(std::int16_t{});
    case 'i' * 16 + 4:
      return as(std::int32_t{});
    case 'i' * 16 + 8:
      return as(std::int64_t{});
    case 'u' * 16 + 2:
      return as(std::uint16_t{});
    case 'u' * 16 + 4:
      return as(std::uint32_t{});
    case 'u' * 16 + 8:
      return as(std::uint64_t{});
    case 'b' * 16 + 1:
      return b[0] != 0 ? 1.0 : 0.0;
    default:
      return as(std::uint8_t{});  // 'u1'; supported() excluded everything else
  }
}

/// An open .npy file with its checked header; reads go through pread at computed offsets.
class NpyFile {
 public:
  explicit NpyFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) bad(path, std::string("cannot open: ") + std::strerror(errno));
    try {
      struct stat st {};
      if (::fstat(fd_, &st) != 0) bad(path, std::string("cannot stat: ") + std::strerror(errno));
      size_ = static_cast<std::uint64_t>(st.st_size);
      read_header();
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
  ~NpyFile() { ::close(fd_); }
  NpyFile(const NpyFile&) = delete;
  NpyFile& operator=(const NpyFile&) = delete;

  const NpyHeader& header() const { return header_; }

  /// Rows [begin, end) of a 1-D or 2-D array as doubles.
  RowMatrix rows(Index begin, Index end) const {
    const auto& shape = header_.shape;
    if (shape.empty() || shape.size() > 2)
      bad(path_, "expected a 1-D or 2-D array, the shape is " + npy_shape_string(shape));
    Dtype t;
    if (!parse_descr(header_.dtype, t) || !supported(t))
      bad(path_, "dtype " + quoted(header_.dtype) + " is not supported (need float32/64, int, uint or bool)");
    const Index n_rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
    if (begin < 0 || begin > end || end > n_rows)
      bad(path_, "rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") are not within the " +
                     std::to_string(n_rows) + " rows of the array");
    RowMatrix out(end - begin, cols);
    if (out.size() == 0) return out;  // no rows or no columns: nothing to read, and no column to walk
    if (!header_.fortran_order || cols == 1) {
      read(t, begin * cols, out.size(), out.data());
      return out;
    }
    Vector column(out.rows());  // Fortran order: column c is contiguous from element c * n_rows
    for (Index c = 0; c < cols; ++c) {
      read(t, c * n_rows + begin, out.rows(), column.data());
      out.col(c) = column;
    }
    return out;
  }

 private:
  /// `count` elements from flat element index `first`, converted to double into `out`.
  void read(const Dtype& t, Index first, Index count, double* out) const {
    const auto offset = header_.data_offset + static_cast<std::uint64_t>(first * t.size);
    const auto bytes = static_cast<std::size_t>(count * t.size);
    if (t.kind == 'f' && t.size == 8 && !t.swap()) return read_exact(out, bytes, offset);
    std::vector<unsigned char> raw(bytes);
    read_exact(raw.data(), bytes, offset);
    for (Index k = 0; k < count; ++k) out[k] = decode(raw.data() + k * t.size, t);
  }

  void read_exact(void* buffer, std::size_t bytes, std::uint64_t offset) const {
    auto* p = static_cast<char*>(buffer);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, p, bytes, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) bad(path_, std::string("read failed: ") + std::strerror(errno));
      if (n == 0) bad(path_, "file is truncated at byte " + std::to_string(offset));
      p += n, offset += static_cast<std::uint64_t>(n), bytes -= static_cast<std::size_t>(n);
    }
  }

  void read_header() {
    unsigned char prefix[12] = {};
    if (size_ < 10) bad(path_, "not a .npy file (only " + std::to_string(size_) + " bytes)");
    read_exact(prefix, std::min<std::uint64_t>(size_, 12), 0);
    if (std::memcmp(prefix, "\x93NUMPY", 6) != 0) bad(path_, "not a .npy file (bad magic bytes)");
    header_.major_version = prefix[6];
    header_.minor_version = prefix[7];
    if (prefix[6] < 1 || prefix[6] > 3)
      bad(path_, "unsupported .npy format version " + std::to_string(prefix[6]) + "." + std::to_string(prefix[7]));
    const std::size_t prefix_size = prefix[6] == 1 ? 10 : 12;  // 2-byte length in 1.0, else 4
    std::uint64_t length = 0;
    for (std::size_t i = prefix_size; i-- > 8;) length = length * 256 + prefix[i];
    if (prefix_size + length > size_) bad(path_, "file is truncated inside the .npy header");
    if (length > (1u << 20)) bad(path_, "implausible .npy header length " + std::to_string(length));
    std::string dict(static_cast<std::size_t>(length), '\0');
    read_exact(dict.data(), dict.size(), prefix_size);
    const NpyHeader parsed = parse_npy_dict(dict, path_);
    header_.dtype = parsed.dtype;
    header_.fortran_order = parsed.fortran_order;
    header_.shape = parsed.shape;
    header_.data_offset = prefix_size + length;
    check_size();
  }

  /// The data must fit in the file; a byte count that overflows is as bad as a short file.
  void check_size() const {
    Dtype t;
    if (!parse_descr(header_.dtype, t)) return;  // rows() rejects the dtype with its own message
    auto bytes = static_cast<std::uint64_t>(t.size);
    for (const Index d : header_.shape) {
      const auto ud = static_cast<std::uint64_t>(d);
      bytes = ud != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / ud
                  ? std::numeric_limits<std::uint64_t>::max()
                  : bytes * ud;
    }
    const std::uint64_t have = size_ - header_.data_offset;
    if (bytes > have)
      bad(path_, "file is truncated: shape " + npy_shape_string(header_.shape) + " of '" + header_.dtype + "' needs " +
                     std::to_string(bytes) + " data bytes, the file has " + std::to_string(have));
  }

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  NpyHeader header_;
};

}  // namespace

namespace {

/// What writes `data` of `shape` as .npy; throws naming `path` on a bad shape.
std::function<void(std::ostream&)> npy_writer(const std::string& path, const double* data,
                                              const std::vector<Index>& shape) {
  std::string header;
  try {
    header = format_npy_header(shape);
  } catch (const InvalidArgument& e) {
    bad(path, e.what());
  }
  Index count = 1;
  for (const Index d : shape) count *= d;
  return [header, data, count](std::ostream& out) {
    out << header;
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * 8));
  };
}

}  // namespace

void save_npy(const std::string& path, const double* data, std::vector<Index> shape) {
  write_file_atomically(path, npy_writer(path, data, shape));
}

StagedFile stage_npy(const std::string& path, const Vector& vector) {
  return StagedFile(path, npy_writer(path, vector.data(), {vector.size()}));
}

void save_npy(const std::string& path, const Vector& vector) { save_npy(path, vector.data(), {vector.size()}); }

void save_npy(const std::string& path, const RowMatrix& matrix) {
  save_npy(path, matrix.data(), {matrix.rows(), matrix.cols()});
}

void save_npy(const std::string& path, const Matrix& matrix) { save_npy(path, RowMatrix(matrix)); }

NpyHeader read_npy_header(const std::string& path) { return NpyFile(path).header(); }

RowMatrix load_npy_rows(const std::string& path, Index row_begin, Index row_end) {
  return NpyFile(path).rows(row_begin, row_end);
}

RowMatrix load_npy_matrix(const std::string& path) {
  const NpyFile file(path);
  return file.rows(0, file.header().shape.empty() ? 0 : file.header().shape[0]);
}

Vector load_npy_vector(const std::string& path) {
  const RowMatrix m = load_npy_matrix(path);
  if (m.cols() != 1) bad(path, "expected a vector, the array has " + std::to_string(m.cols()) + " columns");
  return m.col(0);
}

bool has_npy_extension(const std::string& path) {
  if (path.size() <= 4) return false;
  std::string tail = path.substr(path.size() - 4);
  for (char& ch : tail) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return tail == ".npy";  // NPY or Npy too: a file system's case is the user's choice
}

}  // namespace hessnet
