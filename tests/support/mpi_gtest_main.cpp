// SPDX-License-Identifier: MIT
// GoogleTest main for MPI test binaries: the usual report on rank 0 only, failures from
// other ranks printed with their rank, and one exit code on every rank.
#include <gtest/gtest.h>

#include <cstdio>

#include "hessnet/dist/mpi_environment.hpp"

namespace {

/// On ranks other than 0: prints only failed assertions, prefixed with the rank.
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_,
                 result.file_name() != nullptr ? result.file_name() : "unknown", result.line_number(),
                 result.message());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  hessnet::MpiEnvironment environment(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);  // takes --gtest_* flags, passes the rest through
  const hessnet::Communicator world = environment.world();

  if (world.rank() != 0) {
    ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(world.rank()));
    // One XML/JSON report, written by rank 0, instead of P writers racing on one file.
    GTEST_FLAG_SET(output, "");
  }

  const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  // A test fails under mpiexec if any rank exits non-zero: make every rank agree.
  return hessnet::allreduce_max(world, failed);
}
