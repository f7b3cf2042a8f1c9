// SPDX-License-Identifier: MIT
// libFuzzer target: see entry_points.hpp.
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hessnet::fuzz::model_json(data, size);
  return 0;
}
