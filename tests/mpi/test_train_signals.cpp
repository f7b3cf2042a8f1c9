// SPDX-License-Identifier: MIT
// The training loop: signal order, early stops agreed on every rank, continuing training,
// the attributes, predict and score.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/train/hessian.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

const Architecture k_net = Input(2) >> Sigmoid(3) >> Sigmoid(1);

using testing::Xor;

/// Callbacks that append "name:epoch" to `log` for every event.
TrainingCallbacks recording(std::vector<std::string>& log) {
  const auto epoch_event = [&log](const char* name) {
    return [&log, name](const EpochEvent& e) { log.push_back(std::string(name) + ":" + std::to_string(e.epoch)); };
  };
  return TrainingCallbacks{
      .train_start = [&log](const TrainStart& e) { log.push_back("train_start:" + std::to_string(e.first_epoch)); },
      .epoch_start = epoch_event("epoch_start"),
      .update_start = epoch_event("update_start"),
      .train_error = [&log](const ErrorEvent& e) { log.push_back("train_error:" + std::to_string(e.epoch)); },
      .update_end = [&log](const UpdateEnd& e) { log.push_back("update_end:" + std::to_string(e.epoch)); },
      .valid_error = [&log](const ErrorEvent& e) { log.push_back("valid_error:" + std::to_string(e.epoch)); },
      .epoch_end = epoch_event("epoch_end"),
      .train_end = [&log](const TrainEnd& e) { log.push_back("train_end:" + std::to_string(e.last_epoch)); },
  };
}

std::vector<std::string> epoch_sequence(int epoch, bool valid) {
  const std::string n = std::to_string(epoch);
  std::vector<std::string> s = {"epoch_start:" + n, "update_start:" + n, "train_error:" + n, "update_end:" + n};
  if (valid) s.push_back("valid_error:" + n);
  s.push_back("epoch_end:" + n);
  return s;
}

TEST(TrainingCallbacks, FireInNeupysOrderWithValidErrorOnlyWhenTestDataIsGiven) {
  const Xor data;
  std::vector<std::string> log;
  Hessian optimizer(k_net, {.signals = recording(log)});
  optimizer.train(data.x, data.y, data.x, data.y, 2);
  std::vector<std::string> expected = {"train_start:1"};
  for (int e : {1, 2})
    for (const auto& event : epoch_sequence(e, true)) expected.push_back(event);
  expected.push_back("train_end:2");
  EXPECT_ALL_RANKS(log == expected);

  log.clear();
  optimizer.train(data.x, data.y, 1);
  expected = {"train_start:3"};
  for (const auto& event : epoch_sequence(3, false)) expected.push_back(event);
  expected.push_back("train_end:3");
  EXPECT_ALL_RANKS(log == expected);
}

TEST(TrainingCallbacks, CarryTheErrorsUpdateCountsAndSampleCounts) {
  const Xor data;
  std::vector<double> train_values, valid_values;
  std::vector<Index> updates, samples;
  Hessian optimizer(k_net, {.signals = {.train_error =
                                            [&](const ErrorEvent& e) {
                                              train_values.push_back(e.value);
                                              updates.push_back(e.n_updates);
                                              samples.push_back(e.n_samples);
                                            },
                                        .valid_error = [&](const ErrorEvent& e) { valid_values.push_back(e.value); }}});
  const RowMatrix x_test = data.x.colwise().reverse(), y_test = 0.5 * data.y.colwise().reverse();
  optimizer.train(data.x, data.y, x_test, y_test, 3);
  EXPECT_ALL_RANKS(train_values == optimizer.errors.train && valid_values == optimizer.errors.valid);
  EXPECT_ALL_RANKS(updates == std::vector<Index>({1, 2, 3}) && samples == std::vector<Index>({4, 4, 4}));
  // valid[i] is the test loss after update i, without the regularizer.
  EXPECT_ALL_RANKS(std::abs(valid_values.back() - optimizer.score(x_test, y_test)) <= 1e-15);
}

TEST(TrainingCallbacks, StopTrainingOnOneRankEndsTrainingCleanlyOnEveryRank) {
  const Xor data;
  const Communicator world;
  std::ostringstream out;
  bool train_end_saw_stop = false;
  Hessian optimizer(k_net, {.signals = {.epoch_end =
                                            [&](const EpochEvent& e) {
                                              if (e.epoch == 2 && world.rank() == world.size() - 1)
                                                throw StopTraining("good enough");
                                            },
                                        .train_end = [&](const TrainEnd& e) { train_end_saw_stop = e.stopped; }},
                            .verbose = true,
                            .output = &out});
  optimizer.train(data.x, data.y, 10);
  EXPECT_ALL_RANKS(optimizer.stopped() && optimizer.stop_message() == "good enough");
  EXPECT_ALL_RANKS(optimizer.last_epoch == 2 && optimizer.n_updates_made == 2);
  EXPECT_ALL_RANKS(optimizer.errors.train.size() == 2);
  EXPECT_ALL_RANKS(train_end_saw_stop);
  EXPECT_ALL_RANKS(!world.is_root() ||
                   out.str().find("Epoch #2 was stopped. Message: good enough\n") != std::string::npos);
  // Training may go on afterwards, from epoch 3.
  optimizer.train(data.x, data.y, 1);
  EXPECT_ALL_RANKS(!optimizer.stopped() && optimizer.last_epoch == 3);
}

TEST(TrainingCallbacks, AnyOtherExceptionInACallbackOnOneRankThrowsOnEveryRank) {
  const Xor data;
  const Communicator world;
  Hessian optimizer(k_net, {.signals = {.update_start = [&](const EpochEvent&) {
                              if (world.rank() == world.size() - 1) throw std::runtime_error("disk full");
                            }}});
  std::string message;
  try {
    optimizer.train(data.x, data.y, 3);
  } catch (const CollectiveError& e) {
    message = e.what();
  }
  EXPECT_ALL_RANKS(message.find("disk full") != std::string::npos);
  EXPECT_ALL_RANKS(optimizer.n_updates_made == 0);
}

TEST(TrainingLoss, ABatchLossThatThrowsOnOneRankThrowsTheSameErrorOnEveryRank) {
  const Xor data;
  const Communicator world;
  int calls = 0;
  const Loss loss = Loss::batch(
      [&](ConstRowMatrixRef t, ConstRowMatrixRef o, RowMatrix& value, RowMatrix& first, RowMatrix& second) {
        if (++calls == 3 && world.rank() == world.size() - 1) throw std::runtime_error("log of a negative number");
        value = (o - t).array().square().matrix();
        first = 2 * (o - t);
        second = RowMatrix::Constant(o.rows(), o.cols(), 2.0);
      },
      "squares");
  Hessian optimizer(k_net, {.loss = loss});
  std::string message;
  try {
    optimizer.train(data.x, data.y, 5);
  } catch (const CollectiveError& e) {
    message = e.what();
  }
  EXPECT_ALL_RANKS(message == "log of a negative number");
  EXPECT_ALL_RANKS(optimizer.n_updates_made == 2);
}

TEST(Training, ContinuesFromTheLastEpochAppendingErrors) {
  const Xor data;
  std::vector<int> epochs;
  Hessian twice(k_net, {.signals = {.epoch_start = [&](const EpochEvent& e) { epochs.push_back(e.epoch); }}});
  EXPECT_ALL_RANKS(twice.last_epoch == 0 && twice.n_updates_made == 0);
  twice.train(data.x, data.y, 3);
  twice.fit(data.x, data.y, 2);  // fit is train
  Hessian once(k_net);
  once.train(data.x, data.y, 5);
  EXPECT_ALL_RANKS(twice.last_epoch == 5 && twice.n_updates_made == 5 && twice.errors.train.size() == 5);
  EXPECT_ALL_RANKS(epochs == std::vector<int>({1, 2, 3, 4, 5}));
  EXPECT_ALL_RANKS(twice.errors.train == once.errors.train);
  EXPECT_ALL_RANKS(twice.network().parameters() == once.network().parameters());
}

TEST(Training, TakesPreShardedDataLikeWholeMatrices) {
  const Xor data;
  const Communicator world;
  Hessian whole(k_net), sharded(k_net);
  whole.train(data.x, data.y, data.x, data.y, 3);
  sharded.train(shard_of(world, data.x, data.y), shard_of(world, data.x, data.y), 3);
  EXPECT_ALL_RANKS(whole.errors.train == sharded.errors.train && whole.errors.valid == sharded.errors.valid);
}

TEST(Training, PredictTakesASampleAsAVectorOrAOneRowMatrix) {
  const Xor data;
  Hessian optimizer(k_net);
  optimizer.train(data.x, data.y, 2);
  const RowMatrix all = optimizer.predict(data.x);
  const Eigen::Vector2d sample(1, 0);
  const RowMatrix one = optimizer.predict(sample);
  const RowMatrix row = optimizer.predict(RowMatrix(data.x.row(2)));
  EXPECT_ALL_RANKS(all.rows() == 4 && all.cols() == 1);
  EXPECT_ALL_RANKS(one.rows() == 1 && one(0, 0) == all(2, 0) && row(0, 0) == all(2, 0));
  EXPECT_ALL_RANKS(optimizer.predict(Eigen::MatrixXd(data.x)) == all);  // column-major input
}

TEST(Training, ScoreIsTheLossWithoutTheRegularizer) {
  const Xor data;
  Hessian optimizer(k_net, {.regularizer = Regularizer::parse("l2:0.1")});
  const double before = loss_value(Loss::named("mse"), data.y, optimizer.predict(data.x));
  EXPECT_ALL_RANKS(std::abs(optimizer.score(data.x, data.y) - before) <= 1e-15);
  optimizer.train(data.x, data.y, 1);
  const double penalty = optimizer.regularizer().value(Network::he_normal(k_net, 0));
  EXPECT_ALL_RANKS(std::abs(optimizer.errors.train[0] - (before + penalty)) <= 1e-14);
}

TEST(Training, AnUpdateThatCannotBeAppliedStopsTrainingAndSaysWhy) {
  Xor data;
  data.y(0, 0) = NAN;  // a non-finite gradient
  Hessian optimizer(k_net);
  const Vector start = optimizer.network().parameters();
  optimizer.train(data.x, data.y, 5);
  EXPECT_ALL_RANKS(optimizer.stopped() && optimizer.stop_message().find("not finite") != std::string::npos);
  EXPECT_ALL_RANKS(optimizer.last_epoch == 1 && optimizer.n_updates_made == 0);
  EXPECT_ALL_RANKS(optimizer.network().parameters() == start);
}

}  // namespace
}  // namespace hessnet
