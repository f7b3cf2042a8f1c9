// SPDX-License-Identifier: MIT
#include "hessnet/core/random.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Random::Random(std::uint64_t seed) {
  for (auto& word : s_) {  // splitmix64 spreads any seed (even 0) over the whole state
    seed += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    word = z ^ (z >> 31);
  }
}

std::uint64_t Random::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::normal() {
  // Box-Muller without caching the second value keeps the state a pure function of draws.
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Random::below(std::uint64_t n) {
  HESSNET_CHECK(n > 0, "Random::below needs n > 0");
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // reject the biased tail
  std::uint64_t x;
  do x = next();
  while (x >= limit);
  return x % n;
}

std::string Random::state() const {
  std::ostringstream out;
  out << s_[0] << ' ' << s_[1] << ' ' << s_[2] << ' ' << s_[3];
  return out.str();
}

void Random::restore(const std::string& state) {
  std::istringstream in(state);
  for (auto& word : s_) in >> word;
  if (!in) throw InvalidArgument("bad random generator state '" + state + "'");
}

std::vector<Index> random_permutation(Index n, Random& rng) {
  std::vector<Index> perm(static_cast<std::size_t>(std::max<Index>(n, 0)));
  for (Index k = 0; k < n; ++k) perm[static_cast<std::size_t>(k)] = k;
  for (Index k = n - 1; k > 0; --k) {
    const auto j = static_cast<Index>(rng.below(static_cast<std::uint64_t>(k + 1)));
    std::swap(perm[static_cast<std::size_t>(k)], perm[static_cast<std::size_t>(j)]);
  }
  return perm;
}

}  // namespace hessnet
