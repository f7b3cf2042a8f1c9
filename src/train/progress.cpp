// SPDX-License-Identifier: MIT
#include "hessnet/train/progress.hpp"

#include <fmt/core.h>

#include <cmath>

namespace hessnet {

bool is_shown_epoch(int epoch, int first_epoch, int last_epoch, int show_epoch) {
  return epoch == first_epoch || epoch == last_epoch || (show_epoch > 0 && epoch % show_epoch == 0);
}

std::string format_duration(double seconds) {
  if (seconds < 1) return fmt::format("{} ms", static_cast<long>(seconds * 1000));
  if (seconds < 60) return fmt::format("{:.2f} sec", seconds);
  const auto whole = static_cast<long>(seconds);
  return fmt::format("{} min {} sec", whole / 60, whole % 60);
}

std::string format_loss(double value) {
  if (value != 0 && std::isfinite(value) && std::abs(value) < 1e-4) return fmt::format("{:.3e}", value);
  return fmt::format("{:.6f}", value);
}

std::string format_epoch_line(int epoch, double seconds, double train, std::optional<double> valid) {
  std::string line = fmt::format("#{} : [{}] train: {}", epoch, format_duration(seconds), format_loss(train));
  if (valid) line += ", valid: " + format_loss(*valid);
  return line;
}

}  // namespace hessnet
