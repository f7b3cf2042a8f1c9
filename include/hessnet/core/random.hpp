// SPDX-License-Identifier: MIT
#pragma once
/// @file A seeded generator whose streams are identical on every platform and compiler.
#include <cstdint>
#include <string>
#include <vector>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// xoshiro256** seeded through splitmix64; normal() by Box-Muller. The whole state is
/// printable so checkpoints can store and restore it exactly.
class Random {
 public:
  explicit Random(std::uint64_t seed);
  std::uint64_t next();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Standard normal.
  double normal();
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n);

  std::string state() const;
  void restore(const std::string& state);

 private:
  std::uint64_t s_[4]{};
};

/// A uniformly random permutation of 0..n-1 (Fisher-Yates on rng), the same on every
/// platform for the same generator state.
std::vector<Index> random_permutation(Index n, Random& rng);

}  // namespace hessnet
