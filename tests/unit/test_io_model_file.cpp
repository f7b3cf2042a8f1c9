// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "hessnet/core/error.hpp"
#include "hessnet/io/model_file.hpp"
#include "temp_dir.hpp"

namespace hessnet {
namespace {

using test::contains;
using test::message_of;
using test::TempDir;

/// Input(2) >> Sigmoid(3) >> Linear(1, no bias) with parameters 1..12 in flat order.
const std::string k_valid = R"({"format": "hessnet.model/1", "input": 2, "layers": [
  {"type": "Sigmoid", "units": 3, "weight": [[1, 2, 3], [4, 5, 6]], "bias": [7, 8, 9]},
  {"type": "Linear", "units": 1, "weight": [[10], [11], [12]], "bias": null}]})";

/// `text` (k_valid by default) with its first `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to, std::string text = k_valid) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

bool same_bits(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) return false;
  for (Index k = 0; k < a.size(); ++k)
    if (std::bit_cast<std::uint64_t>(a[k]) != std::bit_cast<std::uint64_t>(b[k])) return false;
  return true;
}

TEST(ModelFile, ReadsWeightsAsFanInRowsOfUnitsInFlatOrder) {
  const TempDir dir;
  const Network net = load_model(dir.write("m.json", k_valid));
  EXPECT_EQ(net.architecture().to_string(), "Input(2) >> Sigmoid(3) >> Linear(1, bias=false)");
  EXPECT_EQ(net.parameters(), Vector::LinSpaced(12, 1, 12));
  EXPECT_EQ(net.weight_transposed(1)(2, 1), 6.0);  // weight[1][2]: input 1 to unit 2
  EXPECT_EQ(net.bias(1)[0], 7.0);
  EXPECT_EQ(net.bias(2).size(), 0);
}

TEST(ModelFile, RoundTripsParametersBitForBit) {
  const TempDir dir;
  Network net = Network::he_normal(Input(3) >> Tanh(4) >> Sigmoid(2, false) >> Softmax(3), 7);
  const double special[] = {0.1,
                            1.0 / 3.0,
                            1e-300,
                            5e-324,
                            std::numeric_limits<double>::denorm_min() * 12345,
                            -0.0,
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::min(),
                            123456789.123456789,
                            2.0 / 3.0 * 1e-17};
  for (std::size_t k = 0; k < std::size(special); ++k) net.parameters()[static_cast<Index>(k)] = special[k];
  save_model(net, dir.file("m.json"));
  const Network back = load_model(dir.file("m.json"));
  EXPECT_EQ(back.architecture().to_string(), net.architecture().to_string());
  EXPECT_TRUE(same_bits(back.parameters(), net.parameters()));
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(ModelFile, WritesTheDocumentedFormat) {
  const TempDir dir;
  save_model(load_model(dir.write("in.json", k_valid)), dir.file("out.json"));
  const std::string text = test::read_bytes(dir.file("out.json"));
  EXPECT_TRUE(contains(text, "\"format\": \"hessnet.model/1\""));
  EXPECT_TRUE(contains(text, "\"input\": 2"));
  EXPECT_TRUE(contains(text, "[4.0,5.0,6.0]"));
  EXPECT_TRUE(contains(text, "\"bias\": null"));
}

TEST(ModelFile, IgnoresUnknownKeysAtTopLevelAndInLayers) {
  const TempDir dir;
  const auto top = edited("\"input\": 2,", "\"input\": 2, \"note\": {\"trained\": [1, 2]},");
  const auto both = edited("\"units\": 1,", "\"units\": 1, \"comment\": \"output\",", top);
  EXPECT_EQ(load_model(dir.write("m.json", both)).parameters(), Vector::LinSpaced(12, 1, 12));
}

/// Loads `text` and returns the one-line message, checking that it names the file.
std::string load_error(const std::string& text) {
  const TempDir dir;
  const auto path = dir.write("bad.json", text);
  const auto what = message_of<InvalidArgument>([&] { load_model(path); });
  EXPECT_TRUE(contains(what, path));
  return what;
}

/// The message for k_valid with its first `from` replaced by `to`.
std::string error_after(const std::string& from, const std::string& to) { return load_error(edited(from, to)); }

TEST(ModelFile, RejectsAMissingFile) {
  const TempDir dir;
  EXPECT_TRUE(contains(message_of<InvalidArgument>([&] { load_model(dir.file("none.json")); }), "none.json"));
}

TEST(ModelFile, RejectsInvalidJsonWithTheParsePosition) {
  const auto what = load_error("{\"format\": \"hessnet.model/1\",\n \"input\": 2,, }");
  EXPECT_TRUE(contains(what, "not valid JSON"));
  EXPECT_TRUE(contains(what, "line 2"));
}

TEST(ModelFile, RejectsAWrongOrMissingFormat) {
  EXPECT_TRUE(contains(error_after("hessnet.model/1", "hessnet.model/2"), "\"hessnet.model/2\""));
  EXPECT_TRUE(contains(error_after("\"format\": \"hessnet.model/1\",", ""), "missing key format"));
  EXPECT_TRUE(contains(load_error("[1, 2]"), "object"));
}

TEST(ModelFile, RejectsAMissingOrNonPositiveInput) {
  EXPECT_TRUE(contains(error_after("\"input\": 2,", ""), "missing key input"));
  EXPECT_TRUE(contains(error_after("\"input\": 2", "\"input\": 0"), "input"));
  EXPECT_TRUE(contains(error_after("\"input\": 2", "\"input\": 2.5"), "input"));
}

TEST(ModelFile, RejectsAnUnknownLayerTypeNamingTheLayer) {
  const auto what = error_after("Linear", "Quadratic");
  EXPECT_TRUE(contains(what, "layers[1].type"));
  EXPECT_TRUE(contains(what, "Quadratic"));
  EXPECT_TRUE(contains(error_after("\"type\": \"Sigmoid\"", "\"type\": 3"), "layers[0].type"));
}

TEST(ModelFile, RejectsAWeightWithTheWrongShape) {
  EXPECT_TRUE(contains(error_after("[[1, 2, 3], [4, 5, 6]]", "[[1, 2, 3]]"),
                       "layers[0].weight must have fan_in = 2 rows of 3 numbers, it has 1 rows"));
  EXPECT_TRUE(contains(error_after("[4, 5, 6]", "[4, 5]"), "layers[0].weight[1] has 2 entries, expected 3"));
  EXPECT_TRUE(contains(error_after("[[10], [11], [12]]", "[10, 11, 12]"), "layers[1].weight[0]"));
  EXPECT_TRUE(contains(error_after("[[10], [11], [12]]", "\"w\""), "layers[1].weight"));
  EXPECT_TRUE(contains(error_after("\"weight\": [[1, 2, 3], [4, 5, 6]], ", ""), "missing key layers[0].weight"));
}

TEST(ModelFile, RejectsABiasOfTheWrongLengthOrAMissingBiasKey) {
  EXPECT_TRUE(contains(error_after("[7, 8, 9]", "[7, 8]"), "layers[0].bias has 2 entries, expected 3"));
  EXPECT_TRUE(contains(error_after(", \"bias\": null", ""), "missing key layers[1].bias"));
}

TEST(ModelFile, RejectsNonNumericEntries) {
  EXPECT_TRUE(contains(error_after("[4, 5, 6]", "[4, \"5\", 6]"), "layers[0].weight[1][1] is not a number"));
  EXPECT_TRUE(contains(error_after("[7, 8, 9]", "[7, null, 9]"), "layers[0].bias[1] is not a number"));
}

TEST(ModelFile, RejectsBadUnitsAndAnInvalidArchitecture) {
  EXPECT_TRUE(contains(error_after("\"units\": 3", "\"units\": -3"), "layers[0].units"));
  EXPECT_TRUE(contains(error_after("\"layers\": [", "\"layers\": [], \"x\": ["), "non-empty array"));
  EXPECT_TRUE(contains(error_after("Sigmoid", "Softmax"), "Softmax"));
}

TEST(ModelFile, RefusesToSaveANonFiniteParameter) {
  const TempDir dir;
  Network net(Input(1) >> Linear(1));
  net.parameters()[1] = std::nan("");
  const auto what = message_of<InvalidArgument>([&] { save_model(net, dir.file("m.json")); });
  EXPECT_TRUE(contains(what, dir.file("m.json")));
  EXPECT_TRUE(contains(what, "parameter 1"));
  EXPECT_EQ(dir.entries(), 0u);
}

}  // namespace
}  // namespace hessnet
