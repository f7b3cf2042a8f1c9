// SPDX-License-Identifier: MIT
#include "hessnet/analysis/spectrum_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hessnet {

SpectrumSummary summarize_spectrum(const std::vector<double>& eigenvalues) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  SpectrumSummary s;
  s.n = static_cast<Index>(eigenvalues.size());
  if (eigenvalues.empty()) {
    s.min = s.max = s.max_abs = s.min_abs = nan;
    s.condition = inf;
    return s;
  }
  const auto [lo, hi] = std::minmax_element(eigenvalues.begin(), eigenvalues.end());
  s.min = *lo;
  s.max = *hi;
  s.max_abs = std::max(std::abs(s.min), std::abs(s.max));
  s.min_abs = inf;
  for (const double v : eigenvalues) s.min_abs = std::min(s.min_abs, std::abs(v));
  s.zero_tolerance = static_cast<double>(s.n) * std::numeric_limits<double>::epsilon() * s.max_abs;
  for (const double v : eigenvalues) {
    if (v < -s.zero_tolerance)
      ++s.negative;
    else if (v > s.zero_tolerance)
      ++s.positive;
    else
      ++s.zero;
  }
  s.condition = s.zero > 0 ? inf : s.max_abs / s.min_abs;
  return s;
}

}  // namespace hessnet
