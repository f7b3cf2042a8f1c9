// SPDX-License-Identifier: MIT
#include "conversions.hpp"

#include <mpi.h>
// mpi.h first: mpi4py's header declares its C API in terms of it.
#include <fmt/core.h>
#include <mpi4py/mpi4py.h>
#include <pybind11/stl.h>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"

namespace hessnet::python {
namespace {

/// The Python exception raised in a callback or loss on this rank, waiting for the ranks to
/// agree on the failure; only touched with the GIL held.
std::optional<py::error_already_set>& pending_error() {
  // Never destroyed: it may not outlive the interpreter's finalization.
  static auto* error = new std::optional<py::error_already_set>();
  return *error;
}

PyObject* stop_training_type = nullptr;
PyObject* remote_error_type = nullptr;

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

/// A result of a batch loss as a samples x outputs matrix (the package broadcasts it).
RowMatrix result_matrix(const py::handle& value, Index rows, Index cols, const char* what) {
  const auto array = py::cast<Array>(value);
  if (array.ndim() != 2 || array.shape(0) != rows || array.shape(1) != cols)
    throw InvalidArgument(fmt::format("the loss function's {} must have shape ({}, {})", what, rows, cols));
  return matrix_view(array);
}

}  // namespace

Eigen::Map<const RowMatrix> matrix_view(const Array& a) {
  if (a.ndim() == 1) return {a.data(), 1, a.shape(0)};
  if (a.ndim() != 2) throw InvalidArgument(fmt::format("expected a 1-D or 2-D array, got {} dimensions", a.ndim()));
  return {a.data(), a.shape(0), a.shape(1)};
}

py::array_t<double> to_numpy(RowMatrix m) {
  auto* owned = new RowMatrix(std::move(m));
  const py::capsule free_when_done(owned, [](void* p) { delete static_cast<RowMatrix*>(p); });
  const auto rows = static_cast<py::ssize_t>(owned->rows()), cols = static_cast<py::ssize_t>(owned->cols());
  return py::array_t<double>({rows, cols}, {cols * py::ssize_t{8}, py::ssize_t{8}}, owned->data(), free_when_done);
}

py::array_t<double> to_numpy(Vector v) {
  auto* owned = new Vector(std::move(v));
  const py::capsule free_when_done(owned, [](void* p) { delete static_cast<Vector*>(p); });
  return py::array_t<double>({static_cast<py::ssize_t>(owned->size())}, {py::ssize_t{8}}, owned->data(),
                             free_when_done);
}

Communicator communicator_of(py::handle comm) {
  static const bool imported = import_mpi4py() == 0;
  if (!imported) throw py::error_already_set();
  MPI_Comm* handle = PyMPIComm_Get(comm.ptr());
  if (handle == nullptr) throw py::error_already_set();
  return Communicator(*handle);
}

Architecture architecture_of(const py::list& layers) {
  std::vector<LayerSpec> specs;
  for (const py::handle& item : layers) {
    const auto [kind, units, bias] = py::cast<std::tuple<std::string, Index, bool>>(item);
    if (kind == "Input") {
      specs.push_back(Input(units));
      continue;
    }
    specs.push_back(LayerSpec{false, parse_activation(kind), units, bias});
  }
  return Architecture(std::move(specs));
}

py::list layers_of(const Architecture& architecture) {
  py::list out;
  for (const LayerSpec& l : architecture.layers())
    out.append(py::make_tuple(l.is_input ? std::string("Input") : std::string(activation_name(l.activation)), l.units,
                              l.bias));
  return out;
}

Network network_of(const py::list& layers, const py::object& parameters, std::uint64_t seed) {
  Architecture architecture = architecture_of(layers);
  if (parameters.is_none()) return Network::he_normal(std::move(architecture), seed);
  Network net(std::move(architecture));
  const auto theta = py::cast<Array>(parameters);
  if (theta.ndim() != 1 || theta.shape(0) != net.n_params())
    throw InvalidArgument(fmt::format("the network has {} parameters, got an array of shape {}", net.n_params(),
                                      theta.ndim() == 1 ? fmt::format("({},)", theta.shape(0)) : "other"));
  net.set_parameters(Eigen::Map<const Vector>(theta.data(), net.n_params()));
  return net;
}

Loss loss_of(const py::object& loss, const std::string& name) {
  if (py::isinstance<py::str>(loss)) return Loss::named(py::cast<std::string>(loss));
  const auto f = py::reinterpret_borrow<py::function>(loss);
  return Loss::batch(
      [f](ConstRowMatrixRef targets, ConstRowMatrixRef outputs, RowMatrix& value, RowMatrix& first, RowMatrix& second) {
        try {
          // Copies: the function may keep what it is given.
          const py::tuple r = f(to_numpy(RowMatrix(targets)), to_numpy(RowMatrix(outputs)));
          value = result_matrix(r[0], outputs.rows(), outputs.cols(), "value");
          first = result_matrix(r[1], outputs.rows(), outputs.cols(), "first derivative");
          second = result_matrix(r[2], outputs.rows(), outputs.cols(), "second derivative");
        } catch (py::error_already_set& e) {
          rethrow_into_cpp(e);
        }
      },
      name);
}

Regularizer regularizer_of(const py::object& spec) {
  if (spec.is_none()) return {};
  const auto [kind, rate, exclude_biases, exclude_weights] =
      py::cast<std::tuple<std::string, double, bool, bool>>(spec);
  Regularizer r = Regularizer::parse(kind);
  r.decay_rate = rate;
  r.exclude_biases = exclude_biases;
  r.exclude_weights = exclude_weights;
  return r;
}

TrainingCallbacks callbacks_of(const py::object& dispatch, const std::vector<std::string>& events) {
  using namespace py::literals;
  const auto wanted = [&](const char* name) { return std::find(events.begin(), events.end(), name) != events.end(); };
  const auto call = [dispatch](const char* event, py::dict data) {
    try {
      dispatch(event, std::move(data));
    } catch (py::error_already_set& e) {
      rethrow_into_cpp(e);
    }
  };
  const auto epoch_event = [call](const char* name) {
    return [call, name](const EpochEvent& e) { call(name, py::dict("epoch"_a = e.epoch)); };
  };
  const auto error_event = [call](const char* name) {
    return [call, name](const ErrorEvent& e) {
      call(name, py::dict("value"_a = e.value, "epoch"_a = e.epoch, "n_updates"_a = e.n_updates,
                          "n_samples"_a = e.n_samples));
    };
  };
  TrainingCallbacks s;
  if (wanted("train_start"))
    s.train_start = [call](const TrainStart& e) {
      call("train_start", py::dict("first_epoch"_a = e.first_epoch, "epochs"_a = e.epochs, "n_samples"_a = e.n_samples,
                                   "n_test_samples"_a = e.n_test_samples));
    };
  if (wanted("epoch_start")) s.epoch_start = epoch_event("epoch_start");
  if (wanted("update_start")) s.update_start = epoch_event("update_start");
  if (wanted("train_error")) s.train_error = error_event("train_error");
  if (wanted("update_end"))
    s.update_end = [call](const UpdateEnd& e) {
      const UpdateReport& r = e.report;
      call("update_end",
           py::dict("epoch"_a = e.epoch, "applied"_a = r.status == StepStatus::Ok, "loss"_a = r.loss,
                    "penalty"_a = r.lambda, "escalations"_a = r.escalations, "min_eigenvalue"_a = r.min_eigenvalue,
                    "seconds"_a = r.seconds_total, "message"_a = r.message, "notes"_a = r.notes));
    };
  if (wanted("valid_error")) s.valid_error = error_event("valid_error");
  if (wanted("epoch_end")) s.epoch_end = epoch_event("epoch_end");
  if (wanted("train_end"))
    s.train_end = [call](const TrainEnd& e) {
      call("train_end", py::dict("last_epoch"_a = e.last_epoch, "stopped"_a = e.stopped, "message"_a = e.message));
    };
  return s;
}

void rethrow_into_cpp(py::error_already_set& error) {
  if (error.matches(stop_training_type)) throw StopTraining(py::str(error.value()));
  const std::string type = py::str(error.type().attr("__name__"));
  const std::string message =
      fmt::format("{}: {} (rank {})", type, static_cast<std::string>(py::str(error.value())), world_rank());
  pending_error() = std::move(error);
  throw Error(message);
}

void collective(const Communicator& comm, const std::function<void()>& call) {
  pending_error().reset();
  try {
    call();
  } catch (const CollectiveError& e) {
    std::optional<py::error_already_set> mine = std::move(pending_error());
    pending_error().reset();
    const bool python_failed = allreduce_or(comm, mine.has_value());  // every rank is here
    if (mine) throw *mine;
    if (python_failed) throw RemoteError(e.what());
    throw;
  }
  pending_error().reset();
}

void register_exceptions(py::module_& m) {
  static py::exception<StopTraining> stop(m, "StopTraining", PyExc_Exception);
  static py::exception<RemoteError> remote(m, "RemoteError", PyExc_RuntimeError);
  stop_training_type = stop.ptr();
  remote_error_type = remote.ptr();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StopTraining& e) {
      PyErr_SetString(stop_training_type, e.what());
    } catch (const RemoteError& e) {
      PyErr_SetString(remote_error_type, e.what());
    } catch (const InvalidArgument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const DimensionMismatch& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

int PythonStdout::overflow(int c) {
  if (c != traits_type::eof()) {
    pending_.push_back(static_cast<char>(c));
    if (c == '\n') sync();
  }
  return c;
}

std::streamsize PythonStdout::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  if (pending_.find('\n') != std::string::npos) sync();
  return n;
}

int PythonStdout::sync() {
  if (pending_.empty()) return 0;
  const py::object out = py::module_::import("sys").attr("stdout");
  out.attr("write")(pending_);
  out.attr("flush")();
  pending_.clear();
  return 0;
}

}  // namespace hessnet::python
