// SPDX-License-Identifier: MIT
#pragma once
/// @file Training checkpoints: everything needed to continue a run exactly, as one JSON file
/// ("hessnet.checkpoint/2", see docs/checkpoints.md).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hessnet/dist/communicator.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/optim/option_list.hpp"
#include "hessnet/solver/step_rule.hpp"
#include "hessnet/train/input_scaling.hpp"

namespace hessnet {

/// The value of the "format" key this version writes and reads.
inline constexpr const char* k_checkpoint_format = "hessnet.checkpoint/2";

/// The file a checkpoint directory holds: DIR/checkpoint.json.
std::string checkpoint_path(const std::string& directory);

/// The input scaling a run trained with (`hessnet train --scale-inputs KIND`).
struct CheckpointScaling {
  std::string kind;     ///< "standard" or "maxabs"
  InputScaling values;  ///< mean and scale per input column
};

/// Early stopping's memory (max_fail): the best validation loss so far, its epoch and
/// parameters, and the epochs since it.
struct EarlyStopping {
  int epoch = 0;  ///< 0: none yet
  double valid = std::numeric_limits<double>::quiet_NaN();
  Vector parameters;
  int fails = 0;
};

/// The state of an Optimizer after an epoch, plus what the caller needs to continue.
///
/// Doubles round-trip exactly (shortest decimal form that reads back to the same bits);
/// non-finite losses in the histories are stored as the strings "NaN", "Infinity",
/// "-Infinity". The network holds the parameters in *training space*, i.e. on scaled
/// inputs when `input_scaling` is set.
struct Checkpoint {
  /// The algorithm ("Hessian", "HessianDiagonal", ...) and its typed options; restore
  /// compares the ones that change the iteration.
  OptionList options;
  Network network{Architecture{}};
  int last_epoch = 0;
  Index n_updates_made = 0;
  std::vector<double> train_errors;  ///< errors.train
  std::vector<double> valid_errors;  ///< errors.valid
  RuleState rule_state;              ///< the step rule's state, e.g. {"lambda": adaptive damping}
  EarlyStopping early_stopping;      ///< with max_fail
  std::string shuffle_rng;           ///< Random::state() of the shuffling generator
  Index train_samples = 0;           ///< samples of the last training set (0: unknown)
  std::optional<CheckpointScaling> input_scaling;
  /// A JSON document the caller owns (the CLI keeps its log rows here), stored verbatim
  /// under "extra"; empty for none.
  std::string extra_json;
};

/// Local (not collective). The checkpoint as JSON text.
/// @throws InvalidArgument when a parameter is not finite or extra_json is not valid JSON.
std::string checkpoint_to_json(const Checkpoint& checkpoint);

/// Local. Parses the text of a checkpoint; every error is one line starting with `source`.
/// @throws InvalidArgument for invalid JSON, a wrong "format", a missing key or a value of
///         the wrong type.
Checkpoint checkpoint_from_json(const std::string& text, const std::string& source);

/// Local. Writes checkpoint_to_json atomically (write_file_atomically: temporary file, fsync,
/// rename), so `path` holds the previous checkpoint or this one, never a partial file.
void write_checkpoint(const Checkpoint& checkpoint, const std::string& path);

/// Local. Reads the file at `path`; errors name it ("checkpoint 'PATH': ...").
Checkpoint read_checkpoint(const std::string& path);

/// Collective. Rank 0 writes the checkpoint (write_checkpoint); every rank then throws the
/// same CollectiveError if that failed, and the previous file at `path` is left intact.
void save_checkpoint(const Communicator& comm, const Checkpoint& checkpoint, const std::string& path);

/// Collective. Rank 0 reads `path` and broadcasts the text (other ranks need not see the
/// file); every rank parses it. Errors (a missing or corrupt file) are the same
/// CollectiveError on every rank.
Checkpoint load_checkpoint(const Communicator& comm, const std::string& path);

}  // namespace hessnet
