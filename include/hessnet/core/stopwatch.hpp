// SPDX-License-Identifier: MIT
#pragma once
/// @file Wall-clock timing of phases (kernel, reduction, solve, epoch).
#include <chrono>

namespace hessnet {

/// Seconds elapsed since `start` on the steady clock.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Started at construction; seconds() reads it without stopping it.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const { return seconds_since(start_); }
  void restart() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace hessnet
