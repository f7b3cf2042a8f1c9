// SPDX-License-Identifier: MIT
#pragma once
/// @file The options of an optimizer as typed name/value pairs: checked once, printed as
/// neupy's `[OPTION]` lines, stored in checkpoints and compared on resume. Pure: no MPI.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "hessnet/optim/options.hpp"

namespace hessnet {

using OptionValue = std::variant<bool, std::int64_t, std::uint64_t, double, std::string, Regularizer>;

struct NamedOption {
  std::string name;
  OptionValue value;
  /// Whether a resumed run with another value would differ from an uninterrupted one.
  bool changes_iteration = false;
};

/// An optimizer's algorithm name and options, sorted by name.
struct OptionList {
  std::string algorithm;
  std::vector<NamedOption> options;

  /// The option called `name`, or nullptr.
  const NamedOption* find(const std::string& name) const;
};

/// The value as neupy prints it: True/False, numbers in their shortest form, strings bare,
/// a regularizer as `l2(decay_rate=0.01)` or None.
std::string format_option_value(const OptionValue& value);

/// Equal values; integers of either signedness compare by value, a double equals an integer
/// of the same value (a checkpoint's JSON may have read one as the other).
bool same_option_value(const OptionValue& a, const OptionValue& b);

/// Throws InvalidArgument "cannot resume: the checkpoint has NAME = A, this run B" for the first
/// option, in `now`'s order, that changes the iteration and differs between the lists (or is
/// missing from one), and for another algorithm.
void check_same_iteration(const OptionList& saved, const OptionList& now);

/// Checks every option of a Hessian optimizer run on `ranks` ranks and lists them. Throws
/// InvalidArgument naming the first bad option: step given, penalty_const < 0 or not finite,
/// show_epoch < 1, an unknown loss name, block_size < 1, a grid that is malformed or does not
/// have `ranks` processes, bad damping settings.
OptionList checked_options(const HessianOptions& options, int ranks);
/// As above for HessianDiagonal: 0 < min_eigval <= 1, step > 0, show_epoch >= 1, a known loss.
OptionList checked_options(const HessianDiagonalOptions& options);
/// As above for TrustRegion: 0 < initial_radius <= max_radius, 0 <= eta < 1/4, max_rejections >= 1.
OptionList checked_options(const TrustRegionOptions& options, int ranks);
/// As above for LevenbergMarquardt: mu > 0, mu_update_factor > 1, mu_max > mu.
OptionList checked_options(const LevenbergMarquardtOptions& options, int ranks);
/// Every optimizer also checks its stop rules: min_grad >= 0, max_fail >= 0, time_limit >= 0.

/// Throws InvalidArgument "epochs must be > 0, got E" when epochs < 1.
void check_epochs(int epochs);

}  // namespace hessnet
