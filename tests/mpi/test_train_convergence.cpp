// SPDX-License-Identifier: MIT
// Hessian training converges: XOR, digits against gradient descent and against a one-process
// Newton reference, shuffling, the adaptive mode, and the sample-count limit.
#include <gtest/gtest.h>
#include <mpi.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/io/dataset.hpp"
#include "hessnet/io/shard.hpp"
#include "hessnet/train/hessian.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

using testing::Xor;

/// The bundled digits training set, pixels scaled to [0, 1], labels one-hot.
const Dataset& digits() {
  static const Dataset data = [] {
    const auto root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
    Dataset d = load_dataset((root / "data" / "digits-train.csv").string(), 64, 10);
    d.inputs /= 16;
    return d;
  }();
  return data;
}

const Architecture k_digits_net = Input(64) >> Sigmoid(8) >> Softmax(10);
constexpr double k_digits_penalty = 0.1;
constexpr int k_digits_epochs = 5;

/// errors.train of Newton's method on one process: dense exact Hessian, Eigen Cholesky of
/// H + lambda I with the lambda of each update (the penalty, or what escalation raised it to;
/// H + lambda I must then be positive definite). Empty if it is not.
std::vector<double> newton_reference(Network net, const Loss& loss, const std::vector<double>& lambdas) {
  std::vector<double> history;
  for (const double lambda : lambdas) {
    const DenseDerivatives d = dense_derivatives(net, loss, Regularizer{}, digits().inputs, digits().targets);
    history.push_back(d.loss);
    const Matrix shifted = d.hessian + lambda * Matrix::Identity(d.hessian.rows(), d.hessian.cols());
    const Eigen::LLT<Matrix> llt(shifted);
    if (llt.info() != Eigen::Success) return {};
    net.set_parameters(net.parameters() - llt.solve(d.gradient));
  }
  return history;
}

/// The digits run shared by the tests below (trained once, on every rank).
class HessianOnDigits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Hessian optimizer(k_digits_net, {.penalty_const = k_digits_penalty,
                                     .loss = "categorical_crossentropy",
                                     .seed = 1,
                                     .signals = {.update_end = [](const UpdateEnd& e) {
                                       lambdas_.push_back(e.report.lambda);
                                       escalations_ += e.report.escalations;
                                     }}});
    optimizer.train(digits().inputs, digits().targets, k_digits_epochs);
    history_ = optimizer.errors.train;
    final_loss_ = optimizer.score(digits().inputs, digits().targets);
  }
  static inline std::vector<double> history_, lambdas_;
  static inline int escalations_ = 0;
  static inline double final_loss_ = 0;
};

TEST_F(HessianOnDigits, ReachesALowerLossThanGradientDescentWithTheBestOfFiveStepsInTheSameEpochs) {
  const Communicator world;
  const Loss loss = Loss::named("categorical_crossentropy");
  DistributedObjective objective(world, Network(k_digits_net), loss, Regularizer{},
                                 shard_of(world, digits().inputs, digits().targets));
  double best_gd = INFINITY;
  for (double step : {0.5, 1.0, 2.0, 5.0, 10.0}) {
    Network net = Network::he_normal(k_digits_net, 1);
    for (int e = 0; e < k_digits_epochs; ++e)
      net.set_parameters(net.parameters() - step * objective.gradient(net.parameters()).gradient);
    best_gd = std::min(best_gd, objective.gradient(net.parameters()).loss);
  }
  ASSERT_ALL_RANKS(history_.size() == k_digits_epochs);
  EXPECT_ALL_RANKS(final_loss_ < best_gd);
  EXPECT_ALL_RANKS(final_loss_ < history_.front());
}

TEST_F(HessianOnDigits, LossHistoryMatchesASingleProcessNewtonReferenceOnAnyRankCount) {
  const Communicator world;
  std::vector<double> reference(k_digits_epochs);
  if (world.is_root())
    reference =
        newton_reference(Network::he_normal(k_digits_net, 1), Loss::named("categorical_crossentropy"), lambdas_);
  ASSERT_ALL_RANKS(!world.is_root() || reference.size() == k_digits_epochs);  // every lambda made H + lambda I SPD
  MPI_Bcast(reference.data(), k_digits_epochs, MPI_DOUBLE, 0, world.get());
  ASSERT_ALL_RANKS(history_.size() == reference.size());
  double worst = 0;
  for (std::size_t e = 0; e < reference.size(); ++e)
    worst = std::max(worst, std::abs(history_[e] - reference[e]) / std::abs(reference[e]));
  EXPECT_ALL_RANKS(worst <= 1e-9);
}

TEST(HessianTraining, FitsXorWithATwoLayerSigmoidNet) {
  const Xor data;
  Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 1e-3});
  optimizer.train(data.x, data.y, 40);
  EXPECT_ALL_RANKS(optimizer.score(data.x, data.y) < 1e-3);
  const RowMatrix predicted = optimizer.predict(data.x);
  EXPECT_ALL_RANKS(((predicted.array() - data.y.array()).abs() < 0.1).all());
  EXPECT_ALL_RANKS(optimizer.n_updates_made == 40);
}

TEST(HessianTraining, AdaptiveModeNeverRaisesTheLoss) {
  const Xor data;
  Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 1, .adaptive = true});
  optimizer.train(data.x, data.y, 12);
  const auto& train = optimizer.errors.train;
  bool monotone = true;
  for (std::size_t e = 1; e < train.size(); ++e) monotone = monotone && train[e] <= train[e - 1];
  EXPECT_ALL_RANKS(monotone);
  EXPECT_ALL_RANKS(train.back() < 1e-2);
}

TEST(HessianTraining, ShufflingChangesTheLossHistoryOnlyByRounding) {
  const Communicator world;
  const RowMatrix x = digits().inputs.topRows(120), y = digits().targets.topRows(120);
  const Architecture arch = Input(64) >> Tanh(3) >> Softmax(10);
  Hessian plain(arch, {.loss = "categorical_crossentropy", .seed = 4});
  Hessian shuffled(arch, {.loss = "categorical_crossentropy", .shuffle_data = true, .seed = 4});
  plain.train(x, y, 3);
  shuffled.train(x, y, 3);
  double worst = 0;
  for (std::size_t e = 0; e < 3; ++e)
    worst = std::max(worst, std::abs(plain.errors.train[e] - shuffled.errors.train[e]) / plain.errors.train[e]);
  EXPECT_ALL_RANKS(worst <= 1e-9);
}

TEST(HessianTraining, ShufflePermutesTheGlobalSampleOrderIdenticallyOnAnyRankCount) {
  const Communicator world;
  const Index total = 11;
  RowMatrix x(total, 2), y(total, 1);
  for (Index s = 0; s < total; ++s) {
    x.row(s) << double(s), double(-s);
    y(s, 0) = double(10 * s);
  }
  Shard shard = shard_of(world, x, y);
  Random rng(5);
  std::vector<Index> order(static_cast<std::size_t>(total));  // global position -> original sample
  for (Index k = 0; k < total; ++k) order[static_cast<std::size_t>(k)] = k;
  for (int round = 0; round < 3; ++round) {
    const std::vector<Index> perm = random_permutation(total, rng);
    permute_samples(world, shard, perm);
    std::vector<Index> next(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) next[k] = order[static_cast<std::size_t>(perm[k])];
    order = next;
  }
  bool matches = shard.first == shard_rows(total, world.rank(), world.size()).first;
  for (Index r = 0; r < shard.local.size(); ++r) {
    const double sample = double(order[static_cast<std::size_t>(shard.first + r)]);
    matches = matches && shard.local.inputs(r, 0) == sample && shard.local.inputs(r, 1) == -sample &&
              shard.local.targets(r, 0) == 10 * sample;
  }
  EXPECT_ALL_RANKS(matches);
  EXPECT_ALL_RANKS(order != std::vector<Index>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(HessianTraining, RefusesFewerSamplesThanRanksOnEveryRank) {
  const Communicator world;
  const Index samples = world.size() - 1;  // none on one rank
  const RowMatrix x = RowMatrix::Zero(samples, 2), y = RowMatrix::Zero(samples, 1);
  Hessian optimizer(Input(2) >> Sigmoid(2) >> Sigmoid(1));
  std::string message;
  try {
    optimizer.train(x, y, 1);
  } catch (const InvalidArgument& e) {
    message = e.what();
  }
  // No samples at all is said as such, not as fewer than one rank.
  const std::string expected =
      samples == 0 ? "has no samples" : "fewer than the " + std::to_string(world.size()) + " MPI ranks";
  EXPECT_ALL_RANKS(message.find(expected) != std::string::npos);
  EXPECT_ALL_RANKS(optimizer.last_epoch == 0);
}

}  // namespace
}  // namespace hessnet
