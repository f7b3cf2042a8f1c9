// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "hessnet/core/error.hpp"
#include "hessnet/io/npy.hpp"
#include "hessnet/io/shard.hpp"
#include "temp_dir.hpp"

namespace hessnet {
namespace {

using test::contains;
using test::message_of;
using test::TempDir;

/// A .npy file by hand: magic, version, header length, dict + '\n', then `data`.
std::string raw_npy(const std::string& dict, const std::string& data, int major = 1) {
  const std::string header = dict + "\n";
  std::string out = std::string("\x93NUMPY") + static_cast<char>(major) + '\0';
  const int length_bytes = major == 1 ? 2 : 4;
  for (int k = 0; k < length_bytes; ++k) out += static_cast<char>((header.size() >> (8 * k)) & 0xff);
  return out + header + data;
}

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

std::string dict_for(const std::string& dtype, const std::string& shape, bool fortran = false) {
  const std::string order = fortran ? "True" : "False";
  return "{'descr': '" + dtype + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
}

RowMatrix counting(Index rows, Index cols) {
  RowMatrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = static_cast<double>(k) / 7.0 - 1.0;
  return m;
}

TEST(Npy, RecognisesTheExtensionInAnyLetterCase) {
  EXPECT_TRUE(has_npy_extension("x.npy"));
  EXPECT_TRUE(has_npy_extension("dir/X.NPY"));
  EXPECT_TRUE(has_npy_extension("x.Npy"));
  EXPECT_FALSE(has_npy_extension(".npy"));
  EXPECT_FALSE(has_npy_extension("x.csv"));
  EXPECT_FALSE(has_npy_extension("x.npy.csv"));
}

TEST(Npy, RoundTripsARowMatrixExactly) {
  const TempDir dir;
  RowMatrix m = counting(4, 3);
  m(0, 0) = 0.1, m(0, 1) = 1.0 / 3.0, m(0, 2) = 1e-300, m(1, 0) = 4.9e-324, m(1, 1) = -0.0;
  save_npy(dir.file("m.npy"), m);
  const RowMatrix back = load_npy_matrix(dir.file("m.npy"));
  ASSERT_EQ(back.rows(), 4);
  ASSERT_EQ(back.cols(), 3);
  EXPECT_EQ(std::memcmp(back.data(), m.data(), sizeof(double) * 12), 0);
}

TEST(Npy, WritesAFormatOneHeaderPaddedToSixtyFourBytes) {
  const TempDir dir;
  save_npy(dir.file("m.npy"), counting(2, 5));
  const NpyHeader h = read_npy_header(dir.file("m.npy"));
  EXPECT_EQ(h.major_version, 1);
  EXPECT_EQ(h.dtype, "<f8");
  EXPECT_FALSE(h.fortran_order);
  EXPECT_EQ(h.shape, (std::vector<Index>{2, 5}));
  EXPECT_EQ(h.data_offset % 64, 0u);
  EXPECT_EQ(std::filesystem::file_size(dir.file("m.npy")), h.data_offset + 80);
}

TEST(Npy, WritesAColumnMajorMatrixInCOrder) {
  const TempDir dir;
  const Matrix m = counting(3, 4);  // column-major copy with the same (i, j)
  save_npy(dir.file("m.npy"), m);
  const auto bytes = test::read_bytes(dir.file("m.npy"));
  const auto offset = read_npy_header(dir.file("m.npy")).data_offset;
  double second = 0;  // element (0, 1) comes second in C order
  std::memcpy(&second, bytes.data() + offset + 8, 8);
  EXPECT_EQ(second, m(0, 1));
  EXPECT_EQ(load_npy_matrix(dir.file("m.npy")), RowMatrix(m));
}

TEST(Npy, WritesAVectorAsAOneDimensionalArrayAndReadsItBack) {
  const TempDir dir;
  const Vector v = Vector::LinSpaced(7, -1.0, 2.0);
  save_npy(dir.file("v.npy"), v);
  EXPECT_EQ(read_npy_header(dir.file("v.npy")).shape, (std::vector<Index>{7}));
  EXPECT_EQ(load_npy_vector(dir.file("v.npy")), v);
  const RowMatrix as_matrix = load_npy_matrix(dir.file("v.npy"));
  EXPECT_EQ(as_matrix.cols(), 1);
  EXPECT_EQ(Vector(as_matrix.col(0)), v);
}

TEST(Npy, RoundTripsAnEmptyMatrix) {
  const TempDir dir;
  save_npy(dir.file("e.npy"), RowMatrix(0, 3));
  const RowMatrix back = load_npy_matrix(dir.file("e.npy"));
  EXPECT_EQ(back.rows(), 0);
  EXPECT_EQ(back.cols(), 3);
}

TEST(Npy, LoadRowsReturnsTheSameRowsAsTheSliceOfTheFullLoad) {
  const TempDir dir;
  const RowMatrix m = counting(11, 3);
  save_npy(dir.file("m.npy"), m);
  for (Index b = 0; b <= 11; ++b)
    for (Index e = b; e <= 11; ++e)
      ASSERT_EQ(load_npy_rows(dir.file("m.npy"), b, e), RowMatrix(m.middleRows(b, e - b))) << b << ":" << e;
  for (int p = 1; p <= 5; ++p) {
    RowMatrix joined(0, 3);
    for (int r = 0; r < p; ++r) {
      const auto [b, e] = shard_rows(11, r, p);
      const RowMatrix part = load_npy_rows(dir.file("m.npy"), b, e);
      joined.conservativeResize(joined.rows() + part.rows(), 3);
      joined.bottomRows(part.rows()) = part;
    }
    EXPECT_EQ(joined, m) << p << " ranks";
  }
}

TEST(Npy, TransposesAFortranOrderArrayAndSlicesItsRows) {
  const TempDir dir;
  const RowMatrix m = counting(4, 3);
  const Matrix column_major = m;
  const std::vector<double> data(column_major.data(), column_major.data() + 12);
  const auto path = dir.write("f.npy", raw_npy(dict_for("<f8", "(4, 3)", true), bytes_of(data)));
  EXPECT_TRUE(read_npy_header(path).fortran_order);
  EXPECT_EQ(load_npy_matrix(path), m);
  EXPECT_EQ(load_npy_rows(path, 1, 3), RowMatrix(m.middleRows(1, 2)));
}

TEST(Npy, ConvertsIntegerBoolAndFloat32DtypesToDouble) {
  const TempDir dir;
  const RowMatrix expected = (RowMatrix(2, 2) << 1, 0, 3, 7).finished();
  const std::vector<std::pair<std::string, std::string>> files = {
      {"<f4", bytes_of(std::vector<float>{1, 0, 3, 7})},
      {"<i4", bytes_of(std::vector<std::int32_t>{1, 0, 3, 7})},
      {"<i8", bytes_of(std::vector<std::int64_t>{1, 0, 3, 7})},
      {"<i2", bytes_of(std::vector<std::int16_t>{1, 0, 3, 7})},
      {"|i1", bytes_of(std::vector<std::int8_t>{1, 0, 3, 7})},
      {"|u1", bytes_of(std::vector<std::uint8_t>{1, 0, 3, 7})},
      {"<u1", bytes_of(std::vector<std::uint8_t>{1, 0, 3, 7})},
      {"<u4", bytes_of(std::vector<std::uint32_t>{1, 0, 3, 7})},
      {"<u8", bytes_of(std::vector<std::uint64_t>{1, 0, 3, 7})},
  };
  for (const auto& [dtype, data] : files)
    EXPECT_EQ(load_npy_matrix(dir.write("a.npy", raw_npy(dict_for(dtype, "(2, 2)"), data))), expected) << dtype;
  const auto bools = dir.write("b.npy", raw_npy(dict_for("|b1", "(2, 2)"), std::string("\x01\x00\x01\x01", 4)));
  EXPECT_EQ(load_npy_matrix(bools), (RowMatrix(2, 2) << 1, 0, 1, 1).finished());
  const auto signed_data = bytes_of(std::vector<std::int32_t>{-5, 9});
  const auto negative = dir.write("n.npy", raw_npy(dict_for("<i4", "(2,)"), signed_data));
  EXPECT_EQ(load_npy_vector(negative), (Vector(2) << -5, 9).finished());
}

TEST(Npy, ByteSwapsBigEndianData) {
  const TempDir dir;
  std::string data = bytes_of(std::vector<double>{0.1, -2.5});
  std::reverse(data.begin(), data.begin() + 8);
  std::reverse(data.begin() + 8, data.end());
  const auto path = dir.write("be.npy", raw_npy(dict_for(">f8", "(2,)"), data));
  EXPECT_EQ(load_npy_vector(path), (Vector(2) << 0.1, -2.5).finished());
}

TEST(Npy, ReadsVersionTwoAndThreeHeaders) {
  const TempDir dir;
  const auto data = bytes_of(std::vector<double>{1.5, 2.5, 3.5});
  for (int major : {2, 3}) {
    const std::string dict = "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3,)}";
    const auto path = dir.write("v.npy", raw_npy(dict, data, major));
    EXPECT_EQ(read_npy_header(path).major_version, major);
    EXPECT_EQ(read_npy_header(path).data_offset, 12 + dict.size() + 1);
    EXPECT_EQ(load_npy_vector(path), (Vector(3) << 1.5, 2.5, 3.5).finished());
  }
}

TEST(Npy, RejectsAnUnsupportedDtypeNamingFileAndDtype) {
  const TempDir dir;
  for (const std::string dtype : {"<c16", "<f2", "<U3", "<M8"}) {
    const auto path = dir.write("c.npy", raw_npy(dict_for(dtype, "(1,)"), std::string(16, '\0')));
    const auto what = message_of<InvalidArgument>([&] { load_npy_matrix(path); });
    EXPECT_TRUE(contains(what, path));
    EXPECT_TRUE(contains(what, "'" + dtype + "'"));
  }
  const std::string record_dict = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }";
  const auto record = dir.write("r.npy", raw_npy(record_dict, std::string(8, '\0')));
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_npy_header(record); }), "records"));
}

TEST(Npy, RejectsATruncatedFileNamingIt) {
  const TempDir dir;
  const auto path = dir.file("t.npy");
  save_npy(path, counting(3, 4));
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 8);
  auto what = message_of<InvalidArgument>([&] { load_npy_matrix(path); });
  EXPECT_TRUE(contains(what, path));
  EXPECT_TRUE(contains(what, "truncated"));
  std::filesystem::resize_file(path, 40);  // inside the header
  what = message_of<InvalidArgument>([&] { read_npy_header(path); });
  EXPECT_TRUE(contains(what, "truncated"));
  std::filesystem::resize_file(path, 5);
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_npy_header(path); }), path));
}

TEST(Npy, RejectsBadMagicAndAnUnknownVersion) {
  const TempDir dir;
  const auto text = dir.write("x.npy", "this is not a numpy file at all");
  const auto what = message_of<InvalidArgument>([&] { load_npy_matrix(text); });
  EXPECT_TRUE(contains(what, text));
  EXPECT_TRUE(contains(what, "magic"));
  const auto v9 = dir.write("v.npy", raw_npy(dict_for("<f8", "(1,)"), std::string(8, '\0'), 9));
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_npy_header(v9); }), "version 9"));
}

TEST(Npy, RejectsAMalformedHeaderDict) {
  const TempDir dir;
  const std::vector<std::string> dicts = {
      "{'descr': '<f8', 'shape': (2,), }",                                  // no fortran_order
      "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }",          // not a bool
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1), }",       // negative
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1, }",  // unknown key
      "['descr', '<f8']",                                                   // not a dict
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,) } junk",      // trailing text
  };
  for (const auto& dict : dicts) {
    const auto path = dir.write("h.npy", raw_npy(dict, std::string(16, '\0')));
    const auto what = message_of<InvalidArgument>([&] { read_npy_header(path); });
    EXPECT_TRUE(contains(what, path)) << dict;
    EXPECT_TRUE(contains(what, "bad .npy header")) << dict;
  }
}

TEST(Npy, RejectsAMissingFileAndThreeDimensions) {
  const TempDir dir;
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { load_npy_matrix(dir.file("none.npy")); }), "none.npy"));
  const auto cube = dir.write("c.npy", raw_npy(dict_for("<f8", "(2, 1, 1)"), std::string(16, '\0')));
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { load_npy_matrix(cube); }), "(2, 1, 1)"));
  const auto scalar = dir.write("s.npy", raw_npy(dict_for("<f8", "()"), std::string(8, '\0')));
  EXPECT_EQ(read_npy_header(scalar).element_count(), 1);
  EXPECT_THROW(load_npy_matrix(scalar), InvalidArgument);
}

TEST(Npy, RejectsRowsOutOfRangeAndANonVector) {
  const TempDir dir;
  save_npy(dir.file("m.npy"), counting(3, 2));
  EXPECT_THROW(load_npy_rows(dir.file("m.npy"), 2, 4), InvalidArgument);
  EXPECT_THROW(load_npy_rows(dir.file("m.npy"), -1, 1), InvalidArgument);
  EXPECT_THROW(load_npy_rows(dir.file("m.npy"), 2, 1), InvalidArgument);
  EXPECT_THROW(load_npy_vector(dir.file("m.npy")), InvalidArgument);
}

TEST(Npy, RejectsANegativeDimensionOnSave) {
  const TempDir dir;
  const double x = 0;
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { save_npy(dir.file("n.npy"), &x, {1, -1}); }), "n.npy"));
}

}  // namespace
}  // namespace hessnet
