// SPDX-License-Identifier: MIT
#pragma once
/// @file The verbose lines of training, in neupy's form: pure formatting, no MPI.
#include <optional>
#include <string>

namespace hessnet {

/// True for the epochs a verbose run prints: the first of the train() call, every multiple
/// of show_epoch, and the last of the call.
bool is_shown_epoch(int epoch, int first_epoch, int last_epoch, int show_epoch);

/// "35 ms" below one second, "1.25 sec" below a minute, "2 min 5 sec" beyond.
std::string format_duration(double seconds);

/// A loss as printed: six decimals ("0.104521"), or "1.234e-07" when below 1e-4 in size.
std::string format_loss(double value);

/// `#12 : [35 ms] train: 0.104521, valid: 0.110212` (the valid part only when given).
std::string format_epoch_line(int epoch, double seconds, double train, std::optional<double> valid);

}  // namespace hessnet
