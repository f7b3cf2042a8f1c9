// SPDX-License-Identifier: MIT
// JSON errors reach users as one plain line, without the parser's internal error codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "hessnet/io/json_number.hpp"

namespace hessnet {
namespace {

TEST(JsonErrorText, DropsTheParsersExceptionCodeAndKeepsOtherMessagesAsTheyAre) {
  try {
    (void)nlohmann::json("text").at("epoch");
    FAIL() << "no exception";
  } catch (const nlohmann::json::exception& e) {
    EXPECT_EQ(json_error_text(e), "cannot use at() with string");
  }
  EXPECT_EQ(json_error_text(std::runtime_error("[plain] text")), "[plain] text");
}

}  // namespace
}  // namespace hessnet
