// SPDX-License-Identifier: MIT
// Every input saved under tests/fuzz/regressions/<target>/ (each once a crash, hang or sanitizer
// report of fuzz_<target>) runs through the target's entry point again: it must be accepted or
// rejected with InvalidArgument, nothing else.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "entry_points.hpp"

namespace hessnet::fuzz {
namespace {}  // namespace

// The target's name in test output, not its bytes.
void PrintTo(const Target& target, std::ostream* out) { *out << target.name; }

namespace {

class FuzzRegressions : public ::testing::TestWithParam<Target> {};

std::vector<std::filesystem::path> saved_inputs(std::string_view target) {
  const std::filesystem::path dir = std::filesystem::path(HESSNET_FUZZ_REGRESSIONS) / target;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(dir))
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST_P(FuzzRegressions, SavedInputsAreHandled) {
  for (const auto& file : saved_inputs(GetParam().name)) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot open " << file;
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_NO_THROW(GetParam().run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressions, ::testing::ValuesIn(k_targets),
                         [](const ::testing::TestParamInfo<Target>& target) { return std::string(target.param.name); });

}  // namespace
}  // namespace hessnet::fuzz
