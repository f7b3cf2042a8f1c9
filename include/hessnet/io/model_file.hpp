// SPDX-License-Identifier: MIT
#pragma once
/// @file Trained networks as JSON files ("hessnet.model/1", see docs/file-formats.md).
#include <string>

#include "hessnet/model/network.hpp"

namespace hessnet {

/// The value of the "format" key this version writes and reads.
inline constexpr const char* k_model_format = "hessnet.model/1";

/// Saves architecture and parameters as JSON, atomically:
/// `{"format": "hessnet.model/1", "input": n, "layers": [{"type", "units", "weight", "bias"}]}`
/// with each weight as fan_in rows of `units` numbers and `bias` an array or null. Doubles are
/// written in the shortest form that reads back to the same bits.
/// @throws InvalidArgument if a parameter is NaN or infinite (JSON has no such numbers) or the
///         write fails.
void save_model(const Network& network, const std::string& path);

/// Loads a file written by save_model; unknown keys, at the top level or in a layer, are ignored.
/// @throws InvalidArgument, one line naming the file and the offending key or layer, for a
///         missing file, invalid JSON (with the parse position), a wrong or missing "format", an
///         unknown layer type, a weight or bias of the wrong shape, or a non-numeric entry.
Network load_model(const std::string& path);

/// The document save_model writes, as text, without writing it (e.g. to embed a model in a
/// checkpoint). @throws InvalidArgument naming `what` for a NaN or infinite parameter.
std::string model_to_json(const Network& network, const std::string& what = "model");

/// Parses a document in the format load_model reads; every error message starts with
/// `source` (load_model passes "model file 'PATH'").
/// @throws InvalidArgument, one line, as load_model.
Network model_from_json(const std::string& text, const std::string& source);

}  // namespace hessnet
