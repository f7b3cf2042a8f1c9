// SPDX-License-Identifier: MIT
#pragma once
/// @file What each fuzz target runs on one input; the regression test replays saved inputs
/// through the same functions. An input the reader rejects with its documented exception
/// (InvalidArgument) is expected; any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hessnet::fuzz {

/// The bytes as a CSV file (read_csv_matrix).
void csv(const std::uint8_t* data, std::size_t size);
/// The bytes as a .npy file: header, whole array and a row range (read_npy_header,
/// load_npy_matrix, load_npy_rows).
void npy(const std::uint8_t* data, std::size_t size);
/// The bytes as a model file (model_from_json), written back and read again unchanged.
void model_json(const std::uint8_t* data, std::size_t size);
/// The bytes as a checkpoint (checkpoint_from_json), written back and read again unchanged.
void checkpoint_json(const std::uint8_t* data, std::size_t size);
/// The bytes as a network string (parse_architecture), printed and parsed again unchanged.
void network_string(const std::uint8_t* data, std::size_t size);

struct Target {
  std::string_view name;  ///< directory name under tests/fuzz/regressions and tests/fuzz/corpus
  void (*run)(const std::uint8_t* data, std::size_t size);
};

inline constexpr Target k_targets[] = {
    {"csv", csv},
    {"npy", npy},
    {"model_json", model_json},
    {"checkpoint_json", checkpoint_json},
    {"network_string", network_string},
};

}  // namespace hessnet::fuzz
