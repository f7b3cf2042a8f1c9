// SPDX-License-Identifier: MIT
// Times the exact Hessian kernel against one dsyrk of the same size (N x N from S x N) with
// the same BLAS and threads, and prints the ratio. Usage: bench_kernel [repeats] [panel width, 0 = the engine's] [case
// filter]
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hessnet/autodiff/hessian_kernel.hpp"
#include "hessnet/core/blas.hpp"
#include "hessnet/core/random.hpp"
#include "hessnet/dist/memory_plan.hpp"

namespace {

using namespace hessnet;

double seconds_of(const std::function<void()>& work, int repeats) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];  // median
}

RowMatrix uniform(Index rows, Index cols, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = rng.uniform();
  return m;
}

struct Case {
  std::string name;
  Architecture arch;
  std::string loss;
  Index samples;
};

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::stoi(argv[1]) : 3;
  const Index panel_width = argc > 2 ? std::stoi(argv[2]) : 0;  // 0: as the engine picks
  const std::vector<Case> cases{
      {"64-32-10 softmax/cce", Input(64) >> Sigmoid(32) >> Softmax(10), "categorical_crossentropy", 1797},
      {"64-100-10 softmax/cce", Input(64) >> Sigmoid(100) >> Softmax(10), "categorical_crossentropy", 1797},
      {"8-128-128-1 tanh/mse", Input(8) >> Tanh(128) >> Tanh(128) >> Linear(1), "mse", 4000},
  };
  fmt::print("BLAS threads: {}\n", blas::threads());
  fmt::print("{:<24} {:>6} {:>6} {:>10} {:>10} {:>8}\n", "case", "N", "S", "kernel s", "dsyrk s", "ratio");
  const std::string only = argc > 3 ? argv[3] : "";
  for (const auto& c : cases) {
    if (c.name.find(only) == std::string::npos) continue;
    const Network net = Network::he_normal(c.arch, 1);
    const Loss loss = Loss::named(c.loss);
    const RowMatrix x = uniform(c.samples, net.inputs(), 2);
    RowMatrix y = RowMatrix::Zero(c.samples, net.outputs());
    for (Index s = 0; s < c.samples; ++s) y(s, s % net.outputs()) = 1;  // one-hot or constant
    const Index n = net.n_params();
    Matrix h(n, n);
    const Index width = panel_width > 0 ? panel_width : assembly_width(net, 1, AssemblyOptions{});
    const double kernel = seconds_of(
        [&] {
          // As on one rank: the kernel adds into H's own array, panel by panel.
          const ShardState state(net, loss, x, y, c.samples);
          const HessianKernel k(state);
          const auto bounds = k.panel_bounds(width);
          for (std::size_t p = 0; p + 1 < bounds.size(); ++p) {
            const Index c0 = bounds[p], c1 = bounds[p + 1];
            for (Index col = c0; col < c1; ++col) h.col(col).tail(n - col).setZero();
            k.add_lower_panel(c0, c1, &h(c0, c0), n);
          }
        },
        repeats);
    const Matrix a = Eigen::Map<const Matrix>(uniform(c.samples, n, 3).data(), c.samples, n);
    const double syrk = seconds_of(
        [&] {
          const int ni = static_cast<int>(n), k = static_cast<int>(c.samples);
          const double one = 1, zero = 0;
          dsyrk_("L", "T", &ni, &k, &one, a.data(), &k, &zero, h.data(), &ni);
        },
        repeats);
    fmt::print("{:<24} {:>6} {:>6} {:>10.4f} {:>10.4f} {:>8.2f}\n", c.name, n, c.samples, kernel, syrk, kernel / syrk);
  }
}
