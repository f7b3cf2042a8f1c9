// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "hessnet/core/error.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/dataset.hpp"
#include "hessnet/io/npy.hpp"
#include "temp_dir.hpp"

namespace hessnet {
namespace {

using test::contains;
using test::message_of;
using test::TempDir;

RowMatrix rows2x3() { return (RowMatrix(2, 3) << 1, 2.5, -3, 4e-3, 5, 6).finished(); }

TEST(Csv, SkipsAHeaderLineAndBlankLines) {
  const TempDir dir;
  const auto path = dir.write("a.csv", "a,b,c\n\n1,2.5,-3\n   \n0.004,5,6\n\n");
  EXPECT_EQ(read_csv_matrix(path), rows2x3());
}

TEST(Csv, AcceptsWhitespaceAroundValuesCrlfAndAPlusSign) {
  const TempDir dir;
  const auto path = dir.write("a.csv", " 1 ,\t2.5, -3\r\n+4e-3 ,5,6 \r\n");
  EXPECT_EQ(read_csv_matrix(path), rows2x3());
}

TEST(Csv, TreatsANumericFirstLineAsDataEvenAfterAByteOrderMark) {
  const TempDir dir;
  EXPECT_EQ(read_csv_matrix(dir.write("a.csv", "1,2.5,-3\n4e-3,5,6")), rows2x3());
  EXPECT_EQ(read_csv_matrix(dir.write("b.csv",
                                      "\xEF\xBB\xBF"
                                      "1,2.5,-3\n4e-3,5,6\n")),
            rows2x3());
}

TEST(Csv, RejectsARaggedRowNamingFileLineAndColumn) {
  const TempDir dir;
  const auto path = dir.write("r.csv", "a,b,c\n1,2,3\n\n4,5\n");
  const auto what = message_of<InvalidArgument>([&] { read_csv_matrix(path); });
  EXPECT_TRUE(contains(what, path + ":4:3:"));
  EXPECT_TRUE(contains(what, "2 columns, expected 3"));
  const auto longer = dir.write("l.csv", "1,2\n3,4,5\n");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(longer); }), longer + ":2:3:"));
}

TEST(Csv, RejectsAHeaderWithADifferentWidth) {
  const TempDir dir;
  const auto path = dir.write("h.csv", "a,b\n1,2,3\n");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(path); }), path + ":2:"));
}

TEST(Csv, RejectsANonNumericValueNamingFileLineColumnAndText) {
  const TempDir dir;
  const auto path = dir.write("n.csv", "x,y\n1,2\n3,abc\n");
  const auto what = message_of<InvalidArgument>([&] { read_csv_matrix(path); });
  EXPECT_TRUE(contains(what, path + ":3:2:"));
  EXPECT_TRUE(contains(what, "'abc' is not a number"));
  const auto partial = dir.write("p.csv", "1,2\n3,4x\n");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(partial); }), "'4x'"));
}

TEST(Csv, RejectsAnEmptyField) {
  const TempDir dir;
  const auto path = dir.write("e.csv", "1,2,3\n4,,6\n");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(path); }), path + ":2:2:"));
}

TEST(Csv, RejectsNonFiniteAndOutOfRangeValues) {
  const TempDir dir;
  for (const std::string bad : {"nan", "inf", "-Infinity", "1e999"}) {
    const auto path = dir.write("f.csv", "1,2\n3," + bad + "\n");
    const auto what = message_of<InvalidArgument>([&] { read_csv_matrix(path); });
    EXPECT_TRUE(contains(what, path + ":2:2: '" + bad + "'"));
  }
}

/// The automatic header rule refuses `path`'s first line with `message` and asks for
/// --csv-header; with --csv-header yes the file reads as rows2x3().
void expect_an_ambiguous_first_line(const std::string& path, const std::string& message) {
  const auto what = message_of<InvalidArgument>([&] { read_csv_matrix(path); });
  EXPECT_TRUE(contains(what, path + ":1: " + message)) << what;
  EXPECT_TRUE(contains(what, "--csv-header yes or no")) << what;
  EXPECT_EQ(read_csv_matrix(path, CsvHeader::present), rows2x3());
}

TEST(Csv, RefusesAFirstLineOfColumnIndexesUnlessTheHeaderRuleIsGiven) {
  const TempDir dir;
  const auto pandas = dir.write("p.csv", "0,1,2\n1,2.5,-3\n4e-3,5,6\n");
  expect_an_ambiguous_first_line(pandas, "the first line is 0,1,...,2");
  const RowMatrix as_data = read_csv_matrix(pandas, CsvHeader::absent);
  ASSERT_EQ(as_data.rows(), 3);
  EXPECT_EQ(RowMatrix(as_data.row(0)), (RowMatrix(1, 3) << 0, 1, 2).finished());
  EXPECT_THROW(read_csv_matrix(dir.write("two.csv", " 0 , 1\n5,6\n")), InvalidArgument);
  for (const char* data : {"1,2,3\n", "0,1,3\n", "0.0,1,2\n", "0,+1,2\n", "0\n"})  // not the names pandas writes
    EXPECT_NO_THROW(read_csv_matrix(dir.write("d.csv", data))) << data;
}

TEST(Csv, RefusesAFirstLineMixingNumbersAndTextUnlessTheHeaderRuleIsGiven) {
  const TempDir dir;
  // A row of data with a letter O for a zero used to be skipped as a header, silently.
  expect_an_ambiguous_first_line(dir.write("t.csv", "1,2,O\n1,2.5,-3\n4e-3,5,6\n"),
                                 "the first line mixes numbers and text ('O' in column 3)");
  const auto trailing = dir.write("c.csv", "1,2,0,\n1,2.5,-3,\n");  // an empty last field
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(trailing); }), "('' in column 4)"));
  EXPECT_EQ(read_csv_matrix(dir.write("n.csv", "a,b,c\n1,2.5,-3\n4e-3,5,6\n")), rows2x3());  // names only
}

TEST(Csv, AValueHoldingAnotherSeparatorSaysFieldsAreSeparatedByCommas) {
  const TempDir dir;
  const auto semicolons = dir.write("s.csv", "a;b;c\n1;2.5;-3\n");
  const auto what = message_of<InvalidArgument>([&] { read_csv_matrix(semicolons); });
  EXPECT_TRUE(contains(what, semicolons + ":2:1: '1;2.5;-3' is not a number (fields are separated by commas)")) << what;
}

TEST(Csv, AnExplicitHeaderRuleSkipsOrReadsTheFirstLineWhateverItHolds) {
  const TempDir dir;
  const auto named = dir.write("n.csv", "a,b,c\n1,2.5,-3\n4e-3,5,6\n");
  EXPECT_EQ(read_csv_matrix(named, CsvHeader::present), rows2x3());
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(named, CsvHeader::absent); }),
                       named + ":1:1: 'a' is not a number"));
  const auto numbers = dir.write("x.csv", "9,9,9\n1,2.5,-3\n4e-3,5,6\n");
  EXPECT_EQ(read_csv_matrix(numbers, CsvHeader::present), rows2x3());
  const auto short_header = dir.write("s.csv", "a,b\n1,2.5,-3\n");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(short_header, CsvHeader::present); }),
                       "expected 2 as on line 1"));
}

TEST(Csv, NamesCarriageReturnLineEndsAndGzipInsteadOfFindingNoRows) {
  const TempDir dir;
  const auto mac = dir.write("mac.csv", "a,b,c\r1,2.5,-3\r4e-3,5,6\r");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(mac); }),
                       mac + ":1: a carriage return inside the line"));
  const auto packed = dir.write("d.csv.gz", std::string("\x1F\x8B\x08\x00", 4) + "rest");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(packed); }), "is gzip-compressed"));
  EXPECT_EQ(read_csv_matrix(dir.write("dos.csv", "1,2.5,-3\r\n4e-3,5,6\r\n")), rows2x3());
}

TEST(Csv, RejectsAFileWithoutDataRowsAndAMissingFile) {
  const TempDir dir;
  const auto header_only = dir.write("h.csv", "a,b\n\n");
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { read_csv_matrix(header_only); }), "no data rows"));
  EXPECT_THROW(read_csv_matrix(dir.write("empty.csv", "")), InvalidArgument);
  const auto what = message_of<InvalidArgument>([&] { read_csv_matrix(dir.file("missing.csv")); });
  EXPECT_TRUE(contains(what, dir.file("missing.csv")));
}

TEST(Csv, WriteThenReadRoundTripsDoublesExactly) {
  const TempDir dir;
  RowMatrix m(2, 4);
  m << 0.1, 1.0 / 3.0, 1e-300, 4.9e-324, -2.5, 1e300, 123456789.125, -0.0;
  write_csv(dir.file("m.csv"), m, {"a", "b", "c", "d"});
  const RowMatrix back = read_csv_matrix(dir.file("m.csv"));
  EXPECT_EQ(std::memcmp(back.data(), m.data(), sizeof(double) * 8), 0);
  const std::string start = "a,b,c,d\n0.1,0.3333333333333333,1e-300,5e-324\n-2.5,1e+300,123456789.125,-0\n";
  EXPECT_EQ(test::read_bytes(dir.file("m.csv")).substr(0, start.size()), start);
}

TEST(Csv, WritesIntegersWithoutADecimalPointAndNoHeaderByDefault) {
  const TempDir dir;
  write_csv(dir.file("i.csv"), (RowMatrix(2, 2) << 1, 0, 16, 9).finished());
  EXPECT_EQ(test::read_bytes(dir.file("i.csv")), "1,0\n16,9\n");
  EXPECT_THROW(write_csv(dir.file("i.csv"), RowMatrix(1, 2), {"only-one"}), InvalidArgument);
}

TEST(Csv, SplitsTrailingTargetColumnsWhenTheCountMatches) {
  const Dataset d = split_columns(rows2x3(), 1, 2, "t.csv");
  EXPECT_EQ(d.inputs, (RowMatrix(2, 1) << 1, 4e-3).finished());
  EXPECT_EQ(d.targets, (RowMatrix(2, 2) << 2.5, -3, 5, 6).finished());
  EXPECT_EQ(d.size(), 2);
}

TEST(Csv, OneHotEncodesAClassLabelColumn) {
  const RowMatrix table = (RowMatrix(3, 3) << 0.5, 1, 2, 0.25, 2, 0, 9, 8, 1).finished();
  const Dataset d = split_columns(table, 2, 3, "t.csv");
  EXPECT_EQ(d.inputs, RowMatrix(table.leftCols(2)));
  EXPECT_EQ(d.targets, (RowMatrix(3, 3) << 0, 0, 1, 1, 0, 0, 0, 1, 0).finished());
}

TEST(Csv, RejectsAClassLabelThatIsNotAnIntegerInRange) {
  for (const double label : {3.0, -1.0, 1.5}) {
    const RowMatrix table = (RowMatrix(2, 2) << 0, 1, 0, label).finished();
    const auto what = message_of<InvalidArgument>([&] { split_columns(table, 1, 3, "t.csv"); });
    EXPECT_TRUE(contains(what, "t.csv"));
    EXPECT_TRUE(contains(what, "row 1 (from 0)"));
  }
}

TEST(Csv, RejectsAColumnCountThatFitsNeitherLayout) {
  const auto what = message_of<DimensionMismatch>([] { split_columns(RowMatrix(2, 4), 2, 3, "t.csv"); });
  EXPECT_TRUE(contains(what, "'t.csv' has 4 columns"));
  EXPECT_TRUE(contains(what, "n_in + n_out = 2 + 3 = 5"));
  EXPECT_TRUE(contains(what, "n_in + 1 = 3 with a class label"));
  EXPECT_THROW(split_columns(RowMatrix(2, 3), 1, 1, "t.csv"), DimensionMismatch);
}

TEST(Csv, LoadsADatasetFromCsvOrNpyByExtension) {
  const TempDir dir;
  write_csv(dir.file("d.csv"), rows2x3());
  save_npy(dir.file("d.npy"), rows2x3());
  EXPECT_EQ(load_dataset(dir.file("d.csv"), 2, 1).targets, load_dataset(dir.file("d.npy"), 2, 1).targets);
}

/// The bundled digits (data/README.md): 64 pixel counts in 0..16 and a label 0..9.
TEST(Csv, LoadsTheBundledDigitsDataAsTenClasses) {
  const auto data = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "data";
  if (!std::filesystem::exists(data / "digits.csv")) GTEST_SKIP() << "no " << data;
  const Dataset all = load_dataset((data / "digits.csv").string(), 64, 10);
  EXPECT_EQ(all.size(), 1797);
  EXPECT_EQ(all.inputs.minCoeff(), 0);
  EXPECT_EQ(all.inputs.maxCoeff(), 16);
  EXPECT_TRUE((all.targets.rowwise().sum().array() == 1).all());
  EXPECT_EQ(all.targets.colwise().sum().minCoeff() > 150, true);
  const Dataset train = load_dataset((data / "digits-train.csv").string(), 64, 10);
  const Dataset held_out = load_dataset((data / "digits-test.csv").string(), 64, 10);
  EXPECT_EQ(train.size(), 1438);
  EXPECT_EQ(held_out.size(), 359);
  EXPECT_EQ(train.inputs.sum() + held_out.inputs.sum(), all.inputs.sum());
}

}  // namespace
}  // namespace hessnet
