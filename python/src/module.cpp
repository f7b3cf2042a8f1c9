// SPDX-License-Identifier: MIT
// _hessnet: the extension module under the `hessnet` Python package. It converts between
// Python and the C++ library (conversions.hpp) and exposes the library's optimizers,
// analysis and model files; names, defaults and docstrings live in the package.
#include <mpi.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>

#include "conversions.hpp"
#include "hessnet/analysis/spectrum_summary.hpp"
#include "hessnet/core/grid_shape.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/eigensolver.hpp"
#include "hessnet/dist/hessian_storage.hpp"
#include "hessnet/dist/matrix_export.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/io/npy.hpp"
#include "trainer.hpp"

namespace hessnet::python {
namespace {

using namespace py::literals;

/// The exact Hessian of loss + regularizer of a network on data, assembled block-cyclically
/// (as `hessnet hessian` and `hessnet spectrum` do).
struct Assembled {
  std::unique_ptr<HessianStorage> storage;
  std::unique_ptr<DistributedObjective> objective;
  Evaluation evaluation;
};

/// A problem as the package describes it: a dict with layers, parameters, seed, x, y,
/// sharded, loss, loss_name, regularizer, grid and block_size.
struct Problem {
  Network net{Architecture{}};
  Loss loss = Loss::named("mse");
  Regularizer regularizer;
  Shard shard;
  LayoutOptions layout;
};

/// Collective. The problem, with this rank's rows; argument errors agreed on every rank.
Problem problem_of(const Communicator& comm, const py::dict& d) {
  Problem p;
  place_blas_threads(comm);
  run_agreed(comm, [&] {
    p.net = network_of(d["layers"], d["parameters"], py::cast<std::uint64_t>(d["seed"]));
    p.loss = loss_of(d["loss"], py::cast<std::string>(d["loss_name"]));
    p.regularizer = regularizer_of(d["regularizer"]);
    p.layout.grid = py::cast<std::string>(d["grid"]);
    p.layout.block_size = py::cast<Index>(d["block_size"]);
    if (p.layout.block_size < 1) throw InvalidArgument("block_size must be >= 1");
    const auto x = matrix_view(py::cast<Array>(d["x"])), y = matrix_view(py::cast<Array>(d["y"]));
    if (py::cast<bool>(d["sharded"])) {
      std::int64_t rows = x.rows(), first = 0;
      MPI_Exscan(&rows, &first, 1, MPI_INT64_T, MPI_SUM, comm.get());
      p.shard = Shard{Dataset{RowMatrix(x), RowMatrix(y)}, comm.is_root() ? 0 : first, 0};
    } else {
      p.shard = shard_of(comm, x, y);
    }
  });
  if (p.shard.total == 0) p.shard.total = allreduce_sum(comm, p.shard.local.size());
  check_shard(comm, p.shard, p.net.inputs(), p.net.outputs(), "the data");
  return p;
}

/// Collective. Plans and allocates the distributed Hessian (refusing it, on every rank, when
/// it does not fit the memory of the ranks), then assembles it. `eigenvalues`: the plan
/// counts the eigensolver too.
Assembled assemble(const Communicator& comm, Problem p, bool eigenvalues = false) {
  GridShape grid;
  run_agreed(comm, [&] { grid = resolve_grid(p.layout.grid, comm.size()); });
  Assembled a;
  const EpochWork work{&p.net, p.shard.local.size(), eigenvalues};
  a.storage = std::make_unique<HessianStorage>(comm, p.net.n_params(), grid, p.layout.block_size, p.layout.assembly,
                                               Precision::Double, work);
  a.objective = std::make_unique<DistributedObjective>(comm, p.net, p.loss, p.regularizer, std::move(p.shard));
  a.evaluation = a.objective->hessian(p.net.parameters(), a.storage->matrix(), p.layout.assembly);
  return a;
}

py::tuple hessian(const py::dict& problem, const py::object& comm_object, Index max_params) {
  const Communicator comm = communicator_of(comm_object);
  py::tuple out;
  collective(comm, [&] {
    Problem p = problem_of(comm, problem);
    const Index n = p.net.n_params();
    run_agreed(comm, [&] {
      if (n > max_params)
        throw InvalidArgument(
            "hessnet.hessian returns H as a NumPy array only for networks of at most max_params = " +
            std::to_string(max_params) + " parameters; this one has N = " + std::to_string(n) + " (H would take " +
            std::to_string(8 * n * n / (1 << 20)) +
            " MiB on every rank): write it with hessnet.save_hessian(..., hessian_path='H.npy') instead");
    });
    const Assembled a = assemble(comm, std::move(p));
    require_finite_evaluation(comm, a.evaluation, &a.storage->matrix());
    RowMatrix h = gather_block(a.storage->matrix(), 0, n, 0, n);  // symmetric: either order
    if (!comm.is_root()) h.resize(n, n);
    MPI_Bcast(h.data(), static_cast<int>(n * n), MPI_DOUBLE, 0, comm.get());
    out = py::make_tuple(to_numpy(a.evaluation.gradient), to_numpy(std::move(h)), a.evaluation.loss);
  });
  return out;
}

double save_hessian(const py::dict& problem, const py::object& comm_object, const std::string& hessian_path,
                    const std::string& gradient_path) {
  const Communicator comm = communicator_of(comm_object);
  double loss = 0;
  collective(comm, [&] {
    const Assembled a = assemble(comm, problem_of(comm, problem));
    require_finite_evaluation(comm, a.evaluation, &a.storage->matrix());
    save_gradient_and_hessian(a.evaluation.gradient, a.storage->matrix(), gradient_path, hessian_path);
    loss = a.evaluation.loss;
  });
  return loss;
}

py::tuple spectrum(const py::dict& problem, const py::object& comm_object) {
  const Communicator comm = communicator_of(comm_object);
  py::tuple out;
  collective(comm, [&] {
    Assembled a = assemble(comm, problem_of(comm, problem), true);
    require_finite_evaluation(comm, a.evaluation, &a.storage->matrix());  // pdsyev would not converge
    std::vector<double> eigenvalues = symmetric_eigenvalues(a.storage->matrix());
    const SpectrumSummary s = summarize_spectrum(eigenvalues);
    const py::dict summary("n"_a = s.n, "min"_a = s.min, "max"_a = s.max, "max_abs"_a = s.max_abs,
                           "min_abs"_a = s.min_abs, "zero_tolerance"_a = s.zero_tolerance, "condition"_a = s.condition,
                           "negative"_a = s.negative, "zero"_a = s.zero, "positive"_a = s.positive);
    out =
        py::make_tuple(to_numpy(Vector(Eigen::Map<const Vector>(eigenvalues.data(), s.n))), summary, a.evaluation.loss);
  });
  return out;
}

void save_model_file(const py::list& layers, const py::object& parameters, const std::string& path,
                     const py::object& comm_object) {
  const Communicator comm = communicator_of(comm_object);
  run_agreed(comm, [&] {
    const Network net = network_of(layers, parameters, 0);
    if (comm.is_root()) save_model(net, path);
  });
}

py::tuple load_model_file(const std::string& path) {
  const Network net = load_model(path);
  return py::make_tuple(layers_of(net.architecture()), to_numpy(net.parameters()));
}

py::object agree(const py::object& comm_object, const py::function& step) {
  const Communicator comm = communicator_of(comm_object);
  py::object result = py::none();
  collective(comm, [&] {
    run_agreed(comm, [&] {
      try {
        result = step();
      } catch (py::error_already_set& e) {
        rethrow_into_cpp(e);
      }
    });
  });
  return result;
}

}  // namespace
}  // namespace hessnet::python

PYBIND11_MODULE(_hessnet, m) {
  using namespace hessnet;
  using namespace hessnet::python;
  using namespace py::literals;
  m.doc() = "hessnet's C++ engine; use the `hessnet` package instead of this module.";
  register_exceptions(m);

  py::class_<Trainer>(m, "Trainer")
      .def(py::init<const std::string&, py::list, py::object, py::dict, py::object, py::object,
                    std::vector<std::string>>(),
           "algorithm"_a, "layers"_a, "parameters"_a, "options"_a, "comm"_a, "dispatch"_a, "events"_a)
      .def("train", &Trainer::train, "x"_a, "y"_a, "x_test"_a, "y_test"_a, "epochs"_a, "sharded"_a)
      .def("predict", &Trainer::predict, "x"_a)
      .def("score", &Trainer::score, "x"_a, "y"_a, "sharded"_a)
      .def("train_errors", &Trainer::train_errors)
      .def("valid_errors", &Trainer::valid_errors)
      .def_property_readonly("last_epoch", &Trainer::last_epoch)
      .def_property_readonly("n_updates_made", &Trainer::n_updates_made)
      .def_property_readonly("stopped", &Trainer::stopped)
      .def_property_readonly("stop_message", &Trainer::stop_message)
      .def_property_readonly("algorithm", &Trainer::algorithm)
      .def("parameters", &Trainer::parameters)
      .def("set_parameters", &Trainer::set_parameters, "theta"_a)
      .def("layers", &Trainer::layers)
      .def("options", &Trainer::options)
      .def("save_checkpoint", &Trainer::save_checkpoint, "path"_a)
      .def("restore_checkpoint", &Trainer::restore_checkpoint, "path"_a);

  m.def("algorithms", [] {
    py::dict out;
    for (const auto& [name, a] : algorithms()) out[name.c_str()] = a.options;
    return out;
  });
  m.def("default_options", [](const std::string& name) {
    py::dict out;
    for (const NamedOption& o : algorithms().at(name).defaults().options) out[o.name.c_str()] = option_value(o.value);
    return out;
  });
  m.def("hessian", &hessian, "problem"_a, "comm"_a, "max_params"_a);
  m.def("save_hessian", &save_hessian, "problem"_a, "comm"_a, "hessian_path"_a, "gradient_path"_a);
  m.def("spectrum", &spectrum, "problem"_a, "comm"_a);
  m.def("save_model", &save_model_file, "layers"_a, "parameters"_a, "path"_a, "comm"_a);
  m.def("load_model", &load_model_file, "path"_a);
  m.def(
      "predict",
      [](const py::list& layers, const py::object& parameters, const Array& x) {
        return to_numpy(network_of(layers, parameters, 0).predict(matrix_view(x)));
      },
      "layers"_a, "parameters"_a, "x"_a);
  m.def(
      "initial_parameters",
      [](const py::list& layers, std::uint64_t seed) {
        return to_numpy(network_of(layers, py::none(), seed).parameters());
      },
      "layers"_a, "seed"_a);
  m.def("agree", &agree, "comm"_a, "step"_a);
  m.def(
      "data_address", [](const Array& a) { return reinterpret_cast<std::uintptr_t>(matrix_view(a).data()); }, "array"_a,
      "Where the engine reads an array's numbers (for the no-copy test).");
}
