// SPDX-License-Identifier: MIT
#include "entry_points.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "hessnet/core/error.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/io/npy.hpp"
#include "hessnet/model/layers.hpp"
#include "hessnet/train/checkpoint.hpp"

namespace hessnet::fuzz {
namespace {

std::string as_text(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
}

/// The readers of CSV and .npy take a path: the input goes to a file of this process in
/// TMPDIR (scripts/fuzz.sh points it to /dev/shm), removed at exit.
class ScratchFile {
 public:
  explicit ScratchFile(const char* suffix)
      : path_((std::filesystem::temp_directory_path() / ("hessnet-fuzz-" + std::to_string(::getpid()) + suffix))
                  .string()) {}
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& write(const std::uint8_t* data, std::size_t size) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out.flush()) throw std::runtime_error("cannot write the scratch file " + path_);
    return path_;
  }

 private:
  std::string path_;
};

/// A property of an accepted input that does not hold: a bug, like a crash.
[[noreturn]] void broken(const std::string& what) { throw std::logic_error("fuzz property violated: " + what); }

/// Bitwise, so that NaN equals NaN.
bool same_bits(const double* a, const double* b, Index n) {
  return n == 0 || std::memcmp(a, b, static_cast<std::size_t>(n) * sizeof(double)) == 0;
}

}  // namespace

void csv(const std::uint8_t* data, std::size_t size) {
  static const ScratchFile file(".csv");
  const std::string& path = file.write(data, size);
  try {
    const RowMatrix table = read_csv_matrix(path);
    if (table.rows() < 1 || table.cols() < 1) broken("an accepted CSV table is empty");
    if (!table.allFinite()) broken("an accepted CSV table has a non-finite value");
  } catch (const InvalidArgument&) {
  }
}

void npy(const std::uint8_t* data, std::size_t size) {
  static const ScratchFile file(".npy");
  const std::string& path = file.write(data, size);
  try {
    const NpyHeader header = read_npy_header(path);
    const RowMatrix all = load_npy_matrix(path);
    if (header.shape.empty() || all.rows() != header.shape[0]) broken("load_npy_matrix returned the wrong row count");
    if (all.rows() >= 2) {
      const RowMatrix tail = load_npy_rows(path, 1, all.rows());
      if (tail.rows() != all.rows() - 1 || tail.cols() != all.cols() ||
          !same_bits(tail.data(), all.data() + all.cols(), tail.size()))
        broken("load_npy_rows differs from load_npy_matrix");
    }
  } catch (const InvalidArgument&) {
  }
}

void model_json(const std::uint8_t* data, std::size_t size) {
  std::string text;
  try {
    text = model_to_json(model_from_json(as_text(data, size), "fuzz input"));
  } catch (const InvalidArgument&) {
    return;
  }
  const Network again = model_from_json(text, "written model");  // a written model must read back
  if (model_to_json(again) != text) broken("a model changed when written and read again");
}

void checkpoint_json(const std::uint8_t* data, std::size_t size) {
  std::string text;
  try {
    text = checkpoint_to_json(checkpoint_from_json(as_text(data, size), "fuzz input"));
  } catch (const InvalidArgument&) {
    return;
  }
  const Checkpoint again = checkpoint_from_json(text, "written checkpoint");
  if (checkpoint_to_json(again) != text) broken("a checkpoint changed when written and read again");
}

void network_string(const std::uint8_t* data, std::size_t size) {
  std::string text;
  try {
    text = parse_architecture(as_text(data, size)).to_string();
  } catch (const InvalidArgument&) {
    return;
  }
  if (parse_architecture(text).to_string() != text) broken("network '" + text + "' does not parse back to itself");
}

}  // namespace hessnet::fuzz
