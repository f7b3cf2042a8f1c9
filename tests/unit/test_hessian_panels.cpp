// SPDX-License-Identifier: MIT
// Panels and sample chunks change only how the Hessian is cut, never its value.
#include <gtest/gtest.h>

#include <thread>

#include "finite_difference.hpp"

namespace hessnet {
namespace {

struct Fixture {
  Network net = Network::he_normal(Input(3) >> Tanh(5) >> Sigmoid(4, false) >> Elu(3) >> Softmax(3), 21);
  RowMatrix x = testing::random_matrix(37, 3, 1);
  RowMatrix y = testing::random_one_hot(37, 3, 2);
  Loss loss = Loss::named("categorical_crossentropy");
};

Matrix lower_from_panels(const HessianKernel& kernel, Index n, const std::vector<Index>& bounds) {
  Matrix h = Matrix::Zero(n, n);
  for (std::size_t p = 0; p + 1 < bounds.size(); ++p) {
    const Index c0 = bounds[p], c1 = bounds[p + 1];
    Matrix panel = Matrix::Zero(n - c0, c1 - c0);
    kernel.add_lower_panel(c0, c1, panel.data(), panel.rows());
    h.block(c0, c0, n - c0, c1 - c0) = panel;
  }
  return h.triangularView<Eigen::Lower>();
}

TEST(KernelPanels, AnyColumnCutGivesTheSameLowerTriangle) {
  Fixture f;
  const ShardState state(f.net, f.loss, f.x, f.y, f.x.rows());
  const HessianKernel kernel(state);
  const Index n = f.net.n_params();
  const Matrix whole = lower_from_panels(kernel, n, {0, n});
  EXPECT_GT(whole.cwiseAbs().maxCoeff(), 0.0);
  for (const auto& bounds : {kernel.panel_bounds(7), kernel.panel_bounds(1), std::vector<Index>{0, 1, 9, 10, 33, 61, n},
                             std::vector<Index>{0, 13, 14, n - 1, n}}) {
    EXPECT_LE(testing::relative_error(lower_from_panels(kernel, n, bounds), whole), 1e-14);
  }
}

TEST(KernelPanels, SampleChunksOfAnySizeGiveTheSameHessian) {
  Fixture f;
  const ShardState state(f.net, f.loss, f.x, f.y, f.x.rows());
  const Index n = f.net.n_params();
  const Matrix reference = lower_from_panels(HessianKernel(state), n, {0, n});
  const HessianKernel tiny(state, KernelOptions{.chunk_bytes = 1, .min_chunk = 5});
  EXPECT_LE(testing::relative_error(lower_from_panels(tiny, n, {0, n}), reference), 1e-14);
}

TEST(KernelPanels, TheHookBetweenStepsIsCalledInEveryChunkAndChangesNothing) {
  Fixture f;
  const ShardState state(f.net, f.loss, f.x, f.y, f.x.rows());
  const Index n = f.net.n_params();
  // 8 chunks of 37 samples, in one share
  const HessianKernel kernel(state, KernelOptions{.chunk_bytes = 1, .min_chunk = 5, .sample_splits = 1});
  Matrix plain = Matrix::Zero(n, n), hooked = Matrix::Zero(n, n);
  kernel.add_lower_panel(0, n, plain.data(), n);
  int calls = 0;
  kernel.add_lower_panel(0, n, hooked.data(), n, [&] { ++calls; });
  EXPECT_GE(calls, 8 * 4);  // per chunk and layer: after the cores and after each layer's products
  const Matrix a = plain.triangularView<Eigen::Lower>(), b = hooked.triangularView<Eigen::Lower>();
  EXPECT_EQ(a, b);
}

TEST(KernelPanels, SampleSharesOnSeveralThreadsGiveTheSameHessian) {
  Fixture f;
  const ShardState state(f.net, f.loss, f.x, f.y, f.x.rows());
  const Index n = f.net.n_params();
  const Matrix reference = lower_from_panels(HessianKernel(state, KernelOptions{.sample_splits = 1}), n, {0, n});
  for (const int splits : {2, 3, 7}) {
    const HessianKernel shared(state, KernelOptions{.min_chunk = 5, .sample_splits = splits});
    const HessianKernel chunked(state, KernelOptions{.chunk_bytes = 1, .min_chunk = 2, .sample_splits = splits});
    for (const auto& bounds : {std::vector<Index>{0, n}, shared.panel_bounds(7)}) {
      EXPECT_LE(testing::relative_error(lower_from_panels(shared, n, bounds), reference), 1e-13) << splits;
      EXPECT_LE(testing::relative_error(lower_from_panels(chunked, n, bounds), reference), 1e-13) << splits;
    }
  }
}

TEST(KernelPanels, WithSampleSharesTheHookRunsOnTheCallingThreadOnly) {
  Fixture f;
  const ShardState state(f.net, f.loss, f.x, f.y, f.x.rows());
  const Index n = f.net.n_params();
  // 3 shares of 12-13 samples, each in chunks of 4-5 (min_chunk 4): 3 chunks in share 0.
  const HessianKernel kernel(state, KernelOptions{.chunk_bytes = 1, .min_chunk = 4, .sample_splits = 3});
  Matrix h = Matrix::Zero(n, n);
  const auto caller = std::this_thread::get_id();
  int calls = 0, elsewhere = 0;
  kernel.add_lower_panel(0, n, h.data(), n, [&] { ++(std::this_thread::get_id() == caller ? calls : elsewhere); });
  EXPECT_EQ(elsewhere, 0);
  EXPECT_GE(calls, 3 * 4);
}

TEST(KernelPanels, SampleSharesPlanAWorkspaceEachWithinTheSharedChunkBudget) {
  Fixture f;
  const Index n = f.net.n_params();
  const auto bounds = HessianKernel::panel_bounds(f.net, n);
  const auto bytes = [&](int splits) {
    return HessianKernel::workspace_bytes(f.net, bounds, KernelOptions{.min_chunk = 1, .sample_splits = splits},
                                          f.x.rows());
  };
  EXPECT_GT(bytes(2), bytes(1));      // the products, once per share
  EXPECT_LE(bytes(2), 2 * bytes(1));  // the sample chunks divided among the shares
}

TEST(KernelPanels, ShardsAddUpToTheWholeDataSet) {
  Fixture f;
  const Index n = f.net.n_params(), split = 15;
  const ShardState whole(f.net, f.loss, f.x, f.y, f.x.rows());
  const ShardState first(f.net, f.loss, f.x.topRows(split), f.y.topRows(split), f.x.rows());
  const ShardState second(f.net, f.loss, f.x.bottomRows(f.x.rows() - split), f.y.bottomRows(f.x.rows() - split),
                          f.x.rows());
  const Matrix sum =
      lower_from_panels(HessianKernel(first), n, {0, n}) + lower_from_panels(HessianKernel(second), n, {0, n});
  EXPECT_LE(testing::relative_error(sum, lower_from_panels(HessianKernel(whole), n, {0, n})), 1e-13);
  EXPECT_NEAR(first.inner_loss() + second.inner_loss(), whole.inner_loss(), 1e-14);
  EXPECT_LE(testing::relative_error(first.inner_gradient() + second.inner_gradient(), whole.inner_gradient()), 1e-14);
}

TEST(KernelPanels, PanelBoundsCoverEveryColumnOnce) {
  Fixture f;
  const ShardState state(f.net, f.loss, f.x, f.y, f.x.rows());
  const auto bounds = HessianKernel(state).panel_bounds(10);
  ASSERT_GE(bounds.size(), 2u);
  EXPECT_EQ(bounds.front(), 0);
  EXPECT_EQ(bounds.back(), f.net.n_params());
  for (std::size_t k = 1; k < bounds.size(); ++k) EXPECT_LT(bounds[k - 1], bounds[k]);
}

TEST(KernelPanels, PanelsStayWithinTheTargetWidthUnlessOneRowIsWider) {
  const Network net = Network::he_normal(Input(6) >> Tanh(8) >> Tanh(5) >> Linear(2), 1);
  const RowMatrix x = RowMatrix::Constant(4, 6, 0.5), y = RowMatrix::Zero(4, 2);
  const ShardState state(net, Loss::named("mse"), x, y, 4);
  const HessianKernel kernel(state);
  for (const Index target : {1, 7, 8, 20, 41, 1000}) {
    const auto bounds = kernel.panel_bounds(target);
    for (std::size_t k = 1; k < bounds.size(); ++k) {
      const Index width = bounds[k] - bounds[k - 1];
      // Rows are 8 (layer 1), 5 (layer 2) and 2 (layer 3) parameters wide.
      EXPECT_TRUE(width <= target || width <= 8) << "target " << target << " width " << width;
    }
    if (target >= 8) {  // the widest row fits: fewest panels a greedy cut can give
      EXPECT_LE(static_cast<Index>(bounds.size()) - 1, (net.n_params() + target - 1) / target * 2);
    }
  }
  EXPECT_EQ(kernel.panel_bounds(1000), (std::vector<Index>{0, net.n_params()}));
}

}  // namespace
}  // namespace hessnet
