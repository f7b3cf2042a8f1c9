// SPDX-License-Identifier: MIT
// Checkpoints of the training loop: a resumed run repeats the uninterrupted one (bit for bit on
// the same ranks, to rounding on others), the file round-trips exactly, a failed write keeps
// the previous checkpoint, bad or incompatible checkpoints fail alike on every rank, and a stop
// signal on one rank stops all of them at the same epoch.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

// temp_dir.hpp first: it names ::testing, which hessnet::testing (declared by the others) hides.
#include "temp_dir.hpp"

#include "finite_difference.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "hessnet/train/stop_signal_handler.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

Communicator world() { return Communicator::world(); }

const Architecture k_net = Input(4) >> Tanh(5) >> Softmax(3);

struct Data {
  RowMatrix x = testing::random_matrix(60, 4, 1), y = testing::random_one_hot(60, 3, 2);
  RowMatrix x_test = testing::random_matrix(20, 4, 3), y_test = testing::random_one_hot(20, 3, 4);
};

HessianOptions options(bool shuffle, bool adaptive) {
  return {.penalty_const = 0.1,
          .loss = "categorical_crossentropy",
          .regularizer = Regularizer::parse("l2:0.001"),
          .shuffle_data = shuffle,
          .seed = 5,
          .adaptive = adaptive};
}

/// Rank 0's path for `name` in a directory of rank 0 (only rank 0 reads and writes).
std::string root_file(const test::TempDir& dir, const std::string& name) {
  return broadcast(world(), dir.file(name), 0);
}

/// The message of the CollectiveError `f` throws, "" (and a failure) if it throws none.
template <class F>
std::string collective_error(F&& f) {
  try {
    f();
  } catch (const CollectiveError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no CollectiveError";
  return "";
}

bool one_line_containing(const std::string& message, const std::string& part) {
  return message.find('\n') == std::string::npos && message.find(part) != std::string::npos;
}

double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(a[k] - b[k]) / std::abs(a[k]));
  return worst;
}

TEST(TrainCheckpoint, ResumedRunRepeatsTheUninterruptedRunBitForBit) {
  const Data d;
  const test::TempDir dir;
  const std::string path = root_file(dir, "checkpoint.json");
  for (const auto& [shuffle, adaptive] : {std::pair{true, false}, std::pair{false, true}, std::pair{true, true}}) {
    Hessian full(k_net, options(shuffle, adaptive));
    full.train(d.x, d.y, d.x_test, d.y_test, 10);

    Hessian first(k_net, options(shuffle, adaptive));
    first.train(d.x, d.y, d.x_test, d.y_test, 5);
    first.save_checkpoint(path);
    // Another starting point: restore must replace the parameters, the generator and lambda.
    Hessian second(Network::he_normal(k_net, 99), options(shuffle, adaptive));
    second.restore_checkpoint(path);
    EXPECT_ALL_RANKS(second.last_epoch == 5 && second.n_updates_made == first.n_updates_made);
    second.train(d.x, d.y, d.x_test, d.y_test, 5);

    EXPECT_ALL_RANKS(second.network().parameters() == full.network().parameters());
    EXPECT_ALL_RANKS(second.errors.train == full.errors.train && second.errors.valid == full.errors.valid);
    EXPECT_ALL_RANKS(second.last_epoch == 10 && second.n_updates_made == full.n_updates_made);
    EXPECT_ALL_RANKS(second.checkpoint().shuffle_rng == full.checkpoint().shuffle_rng);
    EXPECT_ALL_RANKS(second.checkpoint().rule_state == full.checkpoint().rule_state);
    // The shuffled order of the last epoch: the restored generator drew the same permutations.
    EXPECT_ALL_RANKS(second.training_shard()->local.inputs == full.training_shard()->local.inputs);
    if (adaptive) EXPECT_ALL_RANKS(full.checkpoint().rule_state.at("lambda") > 0);
  }
}

TEST(TrainCheckpoint, ResumingOnAnotherRankCountAgreesToRounding) {
  // Rank 0 alone trains 5 epochs; all ranks continue to 10 from its checkpoint.
  const Data d;
  const auto options_ = options(true, true);
  const Communicator solo = world().split(world().rank() == 0 ? 0 : 1, world().rank());
  std::string text;
  if (world().rank() == 0) {
    Hessian first(k_net, options_, solo);
    first.train(d.x, d.y, d.x_test, d.y_test, 5);
    text = checkpoint_to_json(first.checkpoint());
  }
  text = broadcast(world(), text, 0);
  Hessian resumed(k_net, options_);
  resumed.restore(checkpoint_from_json(text, "rank 0's checkpoint"));
  resumed.train(d.x, d.y, d.x_test, d.y_test, 5);
  Hessian full(k_net, options_);
  full.train(d.x, d.y, d.x_test, d.y_test, 10);

  const Vector& a = full.network().parameters();
  const double parameters = (resumed.network().parameters() - a).cwiseAbs().maxCoeff() / a.cwiseAbs().maxCoeff();
  const double train = max_relative_difference(full.errors.train, resumed.errors.train);
  const double valid = max_relative_difference(full.errors.valid, resumed.errors.valid);
  EXPECT_ALL_RANKS(parameters <= 1e-9 && train <= 1e-9 && valid <= 1e-9);
  if (world().is_root())
    std::printf("1 -> %d ranks: parameters %.3g, train loss %.3g, valid loss %.3g (max relative)\n", world().size(),
                parameters, train, valid);
}

TEST(TrainCheckpoint, FileRoundTripsEveryFieldBitForBit) {
  const test::TempDir dir;
  Checkpoint c;
  c.options = OptionList{"Hessian",
                         {{"adaptive", true, true},
                          {"loss", std::string("mse"), true},
                          {"penalty_const", 0.1, true},
                          {"regularizer", Regularizer::parse("l2:0.001:all"), true},
                          {"seed", std::uint64_t{18446744073709551615ULL}, false},
                          {"show_epoch", std::int64_t{3}, false}}};
  c.network = Network::he_normal(k_net, 3);
  c.network.parameters()[0] = 5e-324;
  c.network.parameters()[1] = -0.0;
  c.last_epoch = 4;
  c.n_updates_made = 3;
  c.train_errors = {0.1, 1e-300, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()};
  c.valid_errors = {1.0 / 3, 2.0 / 3};
  c.rule_state = {{"lambda", 1e-7}};
  c.shuffle_rng = Random(7).state();
  c.train_samples = 60;
  c.input_scaling = CheckpointScaling{"standard", {Vector::LinSpaced(4, 0.1, 0.4), Vector::Constant(4, 1.0 / 7)}};
  c.extra_json = R"({"log":[{"epoch":1}]})";
  write_checkpoint(c, dir.file("c.json"));
  const Checkpoint back = read_checkpoint(dir.file("c.json"));

  EXPECT_EQ(back.options.algorithm, c.options.algorithm);
  ASSERT_EQ(back.options.options.size(), c.options.options.size());
  for (const NamedOption& option : c.options.options) {
    const NamedOption* read = back.options.find(option.name);
    ASSERT_NE(read, nullptr) << option.name;
    EXPECT_TRUE(same_option_value(read->value, option.value))
        << option.name << " = " << format_option_value(read->value);
  }
  EXPECT_EQ(back.network.architecture().to_string(), k_net.to_string());
  EXPECT_EQ(back.network.parameters(), c.network.parameters());
  EXPECT_TRUE(std::signbit(back.network.parameters()[1]));
  EXPECT_EQ(back.last_epoch, 4);
  EXPECT_EQ(back.n_updates_made, 3);
  EXPECT_EQ(back.train_errors[0], 0.1);
  EXPECT_EQ(back.train_errors[1], 1e-300);
  EXPECT_TRUE(std::isnan(back.train_errors[2]));
  EXPECT_EQ(back.train_errors[3], std::numeric_limits<double>::infinity());
  EXPECT_EQ(back.valid_errors, c.valid_errors);
  EXPECT_EQ(back.rule_state, c.rule_state);
  EXPECT_EQ(back.shuffle_rng, c.shuffle_rng);
  EXPECT_EQ(back.train_samples, 60);
  ASSERT_TRUE(back.input_scaling.has_value());
  EXPECT_EQ(back.input_scaling->kind, "standard");
  EXPECT_EQ(back.input_scaling->values.mean, c.input_scaling->values.mean);
  EXPECT_EQ(back.input_scaling->values.scale, c.input_scaling->values.scale);
  EXPECT_EQ(back.extra_json, c.extra_json);
  EXPECT_EQ(dir.entries(), 1U);
}

TEST(TrainCheckpoint, FailedWriteLeavesThePreviousCheckpointAndNoTemporaryFile) {
  const Data d;
  const test::TempDir dir;
  const std::string path = root_file(dir, "checkpoint.json");
  Hessian optimizer(k_net, options(false, false));
  optimizer.train(d.x, d.y, 3);
  optimizer.save_checkpoint(path);
  const std::string before = world().is_root() ? test::read_bytes(path) : "";
  optimizer.train(d.x, d.y, 2);

  // Files may not grow beyond 1 KiB on rank 0: the write fails half-way (EFBIG), as a full
  // disk or a crash would leave it.
  rlimit saved{};
  void (*previous)(int) = SIG_DFL;
  if (world().is_root()) {
    getrlimit(RLIMIT_FSIZE, &saved);
    previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 1024;
    setrlimit(RLIMIT_FSIZE, &small);
  }
  const std::string message = collective_error([&] { optimizer.save_checkpoint(path); });
  if (world().is_root()) {
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
  }
  EXPECT_ALL_RANKS(one_line_containing(message, "cannot write"));
  EXPECT_ALL_RANKS(!world().is_root() || (before.size() > 1024 && test::read_bytes(path) == before));
  EXPECT_ALL_RANKS(!world().is_root() || dir.entries() == 1);
  EXPECT_ALL_RANKS(load_checkpoint(world(), path).last_epoch == 3);
}

TEST(TrainCheckpoint, MissingOrCorruptCheckpointFailsWithOneLineOnEveryRank) {
  const Data d;
  const test::TempDir dir;
  Hessian optimizer(k_net, options(false, false));
  optimizer.train(d.x, d.y, 2);
  const std::string good = root_file(dir, "good.json");
  optimizer.save_checkpoint(good);
  const std::string truncated = root_file(dir, "truncated.json"), other = root_file(dir, "model.json");
  const std::string renamed = root_file(dir, "renamed.json"), overcounted = root_file(dir, "overcounted.json");
  if (world().is_root()) {
    const std::string text = test::read_bytes(good);
    dir.write("truncated.json", text.substr(0, text.size() / 2));
    dir.write("model.json", R"({"format": "hessnet.model/1"})");
    const auto edited = [&text](const std::string& from, const std::string& to) {
      std::string out = text;
      const auto at = out.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      return at == std::string::npos ? out : out.replace(at, from.size(), to);
    };
    dir.write("renamed.json", edited("\"architecture\": \"Input(", "\"architecture\": \"Input(9) >> Input("));
    dir.write("overcounted.json", edited("\"n_updates_made\": 2", "\"n_updates_made\": 100"));
  }
  const auto fails_with = [&](const std::string& path, const std::string& part) {
    Hessian fresh(k_net, options(false, false));
    const std::string message = collective_error([&] { fresh.restore_checkpoint(path); });
    EXPECT_ALL_RANKS(one_line_containing(message, part));
    EXPECT_ALL_RANKS(fresh.last_epoch == 0);
  };
  fails_with(root_file(dir, "missing/checkpoint.json"), "cannot open");
  fails_with(truncated, "not valid JSON");
  fails_with(other, std::string("expected \"") + k_checkpoint_format + "\"");
  fails_with(renamed, "architecture is \"Input(9) >> Input(");
  fails_with(overcounted, "n_updates_made is 100, more than last_epoch 2");
}

TEST(TrainCheckpoint, RestoreRefusesAnIncompatibleOptimizerNamingTheMismatch) {
  const Data d;
  Hessian source(k_net, options(false, false));
  source.train(d.x, d.y, 2);
  const Checkpoint c = source.checkpoint();
  const auto refused = [&](Optimizer& target, const std::string& part) {
    const std::string message = collective_error([&] { target.restore(c); });
    EXPECT_ALL_RANKS(one_line_containing(message, part));
    if (!one_line_containing(message, part)) ADD_FAILURE() << message;
  };
  HessianOptions mse = options(false, false);
  mse.loss = "mse";
  Hessian other_loss(k_net, mse);
  refused(other_loss, "the checkpoint has loss = categorical_crossentropy, this run mse");
  Hessian other_net(Input(4) >> Tanh(6) >> Softmax(3), options(false, false));
  refused(other_net, "network \"Input(4) >> Tanh(5) >> Softmax(3)\"");
  HessianOptions damped = options(false, false);
  damped.penalty_const = 1;
  Hessian other_penalty(k_net, damped);
  refused(other_penalty, "penalty_const = 0.1, this run 1");
  HessianDiagonal other_algorithm(k_net,
                                  {.loss = "categorical_crossentropy", .regularizer = Regularizer::parse("l2:0.001")});
  refused(other_algorithm, "optimizer Hessian, this run HessianDiagonal");
  // Seed, show_epoch and the grid do not change the iteration.
  HessianOptions cosmetic = options(false, false);
  cosmetic.seed = 77;
  cosmetic.show_epoch = 3;
  cosmetic.layout.block_size = 7;
  Hessian compatible(k_net, cosmetic);
  compatible.restore(c);
  EXPECT_ALL_RANKS(compatible.last_epoch == 2 && compatible.network().parameters() == source.network().parameters());
}

TEST(TrainCheckpoint, StopSignalOnOneRankStopsEveryRankAtTheSameEpoch) {
  const Data d;
  const StopSignalHandler handlers;
  HessianOptions o = options(false, false);
  o.signals.epoch_end = [](const EpochEvent& e) {
    const Communicator& comm = e.optimizer.communicator();
    if (e.epoch == 3 && comm.rank() == comm.size() - 1) std::raise(SIGUSR1);
    if (const int signal = StopSignalHandler::agreed(comm))
      throw StopTraining("interrupted by " + StopSignalHandler::name(signal));
  };
  Hessian optimizer(k_net, o);
  optimizer.train(d.x, d.y, 10);
  EXPECT_ALL_RANKS(optimizer.stopped() && optimizer.last_epoch == 3);
  EXPECT_ALL_RANKS(optimizer.stop_message() == "interrupted by SIGUSR1");
  EXPECT_ALL_RANKS(StopSignalHandler::received() == (world().rank() == world().size() - 1 ? SIGUSR1 : 0));
}

}  // namespace
}  // namespace hessnet
