// SPDX-License-Identifier: MIT
// One full Newton epoch on the standard cases, split into kernel / reduction / solve / rest,
// with peak RSS per rank, against the limit L = t(dsyrk N x N from S x N) + t(dpotrf N)
// measured in the same run on the same cores. Run one case per process (peak RSS is a
// high-water mark): mpirun -np P bench_epoch --case B2 [--data-dir data] [--overlap on|off]
#include <mpi.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "hessnet/autodiff/hessian_kernel.hpp"
#include "hessnet/core/blas.hpp"
#include "hessnet/core/openmp_wait.hpp"
#include "hessnet/core/random.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/memory_plan.hpp"
#include "hessnet/dist/mpi_environment.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/shard.hpp"
#include "hessnet/train/hessian.hpp"

namespace {

using namespace hessnet;

struct Case {
  Architecture arch;
  std::string loss;
  Dataset data;
};

/// A smooth regression of `inputs` features: y = mean_k sin((k+1) x_k), x uniform in [-1, 1].
Dataset smooth_regression(Index samples, Index inputs) {
  Random rng(3);
  Dataset d{RowMatrix(samples, inputs), RowMatrix(samples, 1)};
  for (Index s = 0; s < samples; ++s) {
    double y = 0;
    for (Index k = 0; k < inputs; ++k) {
      d.inputs(s, k) = 2 * rng.uniform() - 1;
      y += std::sin(static_cast<double>(k + 1) * d.inputs(s, k));
    }
    d.targets(s, 0) = y / static_cast<double>(inputs);
  }
  return d;
}

/// B1/B2/B4: the bundled digits (S = 1797; B4: 64-400-10, N = 30,010, H = 7.2 GB, for 4+
/// ranks); B3: a smooth 8-input regression (S = 4000); S1: a small network (13-32-1, N = 481)
/// on 404 samples, where overheads dominate.
Case make_case(const std::string& name, const std::string& data_dir) {
  if (name == "B1" || name == "B2" || name == "B4") {
    const Index hidden = name == "B1" ? 32 : name == "B2" ? 100 : 400;
    Dataset d = split_columns(read_csv_matrix(data_dir + "/digits.csv"), 64, 10, "digits.csv");
    d.inputs /= 16.0;
    return {Input(64) >> Sigmoid(hidden) >> Softmax(10), "categorical_crossentropy", std::move(d)};
  }
  if (name == "S1") return {Input(13) >> Tanh(32) >> Linear(1), "mse", smooth_regression(404, 13)};
  if (name != "B3") throw InvalidArgument("unknown case '" + name + "' (B1, B2, B3, B4, S1)");
  return {Input(8) >> Tanh(128) >> Tanh(128) >> Linear(1), "mse", smooth_regression(4000, 8)};
}

double peak_rss_gib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is KiB
}

template <class F>
double timed(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Rank 0 times dsyrk + dpotrf with `threads` BLAS threads while the other ranks sleep
/// (a polling MPI barrier would steal the cores the limit is measured on). Small sizes take
/// the fastest of repeats over at least 0.2 s: one call of a few milliseconds is mostly noise.
std::pair<double, double> measure_limit(const Communicator& comm, Index n, Index s, int threads) {
  double syrk = 1e300, potrf = 1e300;
  if (comm.is_root()) {
    const int saved = blas::threads();
    blas::set_threads(threads);
    Matrix a(s, n);
    Random rng(5);
    for (Index k = 0; k < a.size(); ++k) a.data()[k] = rng.uniform() - 0.5;
    Matrix c(n, n);
    const int ni = static_cast<int>(n), si = static_cast<int>(s);
    const double one = 1, zero = 0;
    for (double spent = 0; spent < 0.2;) {
      const double t_syrk = timed([&] { dsyrk_("L", "T", &ni, &si, &one, a.data(), &si, &zero, c.data(), &ni); });
      c.diagonal().array() += static_cast<double>(n);  // positive definite
      int info = 0;
      const double t_potrf = timed([&] { dpotrf_("L", &ni, c.data(), &ni, &info); });
      syrk = std::min(syrk, t_syrk);
      potrf = std::min(potrf, t_potrf);
      spent += t_syrk + t_potrf;
    }
    blas::set_threads(saved);
  } else {
    syrk = potrf = 0;
  }
  MPI_Request done;
  MPI_Ibarrier(comm.get(), &done);
  for (int flag = 0; !flag;) {
    MPI_Test(&done, &flag, MPI_STATUS_IGNORE);
    if (!flag) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return {allreduce_max(comm, syrk), allreduce_max(comm, potrf)};
}

}  // namespace

int main(int argc, char** argv) {
  use_passive_thread_waits(argv);
  MpiEnvironment mpi(argc, argv);
  const Communicator comm = Communicator::world();
  CLI::App app{"hessnet epoch benchmark"};
  std::string name = "B1", data_dir = "data";
  LayoutOptions layout;
  bool header = false;
  app.add_option("--case", name, "B1, B2, B3, B4 or S1");
  app.add_option("--data-dir", data_dir, "Folder holding digits.csv");
  app.add_option("--grid", layout.grid);
  app.add_option("--block", layout.block_size);
  app.add_option("--panel", layout.assembly.panel_width);
  std::string overlap = layout.assembly.overlap ? "on" : "off";
  app.add_option("--overlap", overlap, "on: sum panel k while panel k+1 is computed (two panel buffers); off")
      ->check(CLI::IsMember({"on", "off"}));
  std::string precision = "auto";
  app.add_option("--precision", precision, "auto, double or mixed");
  app.add_flag("--header", header, "Print the column header first");
  int epochs = 1;
  app.add_option("--epochs", epochs, "Epochs to run; the epoch of median time is reported")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  layout.precision = parse_precision(precision);
  layout.assembly.overlap = overlap == "on";
  const ThreadPlacement threads = place_blas_threads(comm);
  const Case c = make_case(name, data_dir);
  const Index total = c.data.size();
  const auto [begin, end] = shard_rows(total, comm.rank(), comm.size());
  Shard shard{Dataset{c.data.inputs.middleRows(begin, end - begin), c.data.targets.middleRows(begin, end - begin)},
              begin, total};
  const double shard_gib = static_cast<double>(shard.local.inputs.size() + shard.local.targets.size()) * 8 / (1u << 30);
  // Epochs of the Hessian optimizer with neupy's defaults; each update_end report has the split.
  std::vector<UpdateReport> reports;
  Hessian optimizer(c.arch,
                    {.loss = c.loss,
                     .seed = 1,
                     .signals = {.update_end = [&reports](const UpdateEnd& e) { reports.push_back(e.report); }},
                     .layout = layout},
                    comm);
  const Index n = optimizer.network().n_params();
  optimizer.train(std::move(shard), epochs);
  std::sort(reports.begin(), reports.end(),
            [](const UpdateReport& a, const UpdateReport& b) { return a.seconds_total < b.seconds_total; });
  const UpdateReport r = reports.at(reports.size() / 2);
  const double rss = allreduce_max(comm, peak_rss_gib());
  const int cores = comm.size() * threads.threads;
  const auto [syrk, potrf] = measure_limit(comm, n, total, cores);
  const double limit = syrk + potrf;
  const double rest = r.seconds_total - r.seconds_kernel - r.seconds_reduce - r.seconds_solve;
  const double ideal = 8.0 * static_cast<double>(n) * static_cast<double>(n) / comm.size() / (1u << 30);
  // The widest assembly panel the epoch used (the budget gives narrower ones with --overlap on).
  const std::vector<Index> bounds = HessianKernel::panel_bounds(
      optimizer.network(), assembly_width(optimizer.network(), comm.size(), layout.assembly));
  Index panel = 0;
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) panel = std::max(panel, bounds[k + 1] - bounds[k]);
  if (comm.is_root()) {
    if (header)
      fmt::print(
          "{:<4} {:>5} {:>6} {:>5} {:>5} {:>7} {:>7} {:>7} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6} "
          "{:>6} {:>7}\n",
          "case", "PxT", "N", "S", "esc", "kernel", "reduce", "solve", "rest", "epoch", "syrk", "potrf", "L", "ep/L",
          "RSS GiB", "8N2/P", "ratio", "panel", "xchg");
    fmt::print(
        "{:<4} {:>5} {:>6} {:>5} {:>5} {:>7.4f} {:>7.4f} {:>7.4f} {:>6.3f} {:>7.4f} {:>7.4f} {:>7.4f} {:>7.4f} "
        "{:>7.2f} {:>8.3f} {:>8.3f} {:>6.2f} {:>6} {:>7.4f}\n",
        name, fmt::format("{}x{}", comm.size(), threads.threads), n, total, r.escalations, r.seconds_kernel,
        r.seconds_reduce, r.seconds_solve, rest, r.seconds_total, syrk, potrf, limit, r.seconds_total / limit, rss,
        ideal, (rss - shard_gib) / ideal, panel, r.seconds_exchange);
  }
  return r.status == StepStatus::Ok ? 0 : 1;
}
