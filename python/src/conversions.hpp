// SPDX-License-Identifier: MIT
#pragma once
// What the extension converts between Python and the C++ library: NumPy arrays and Eigen,
// mpi4py communicators and Communicator, Python callables and C++ callbacks or losses,
// Python exceptions and C++ ones. No training logic lives here.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <functional>
#include <optional>
#include <string>

#include "hessnet/core/error.hpp"
#include "hessnet/core/types.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/loss/loss.hpp"
#include "hessnet/loss/regularizer.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/optim/callbacks.hpp"

namespace hessnet::python {

namespace py = pybind11;

/// A float64 C-order array. The Python package converts other dtypes and orders first, so
/// an array of this type is the caller's own memory, read in place.
using Array = py::array_t<double, py::array::c_style>;

/// The rows x cols matrix an Array holds (a 1-D array is one row), without copying.
Eigen::Map<const RowMatrix> matrix_view(const Array& a);
/// NumPy arrays that take over the memory of `m` or `v` (no copy).
py::array_t<double> to_numpy(RowMatrix m);
py::array_t<double> to_numpy(Vector v);

/// The MPI_Comm of an mpi4py communicator (mpi4py's C API), wrapped without taking ownership.
/// Raises TypeError (through py::error_already_set) for any other object.
Communicator communicator_of(py::handle comm);

/// The architecture of a list of (kind, units, bias) tuples, kind a layer name ("Input",
/// "Sigmoid", ...); throws InvalidArgument naming a bad layer.
Architecture architecture_of(const py::list& layers);
/// The list form of an architecture, as architecture_of reads it.
py::list layers_of(const Architecture& architecture);
/// A network: the given parameters, or HeNormal from `seed` when `parameters` is None.
Network network_of(const py::list& layers, const py::object& parameters, std::uint64_t seed);

/// A loss by name, or a batch loss calling `f(targets, outputs) -> (value, first, second)`
/// once per block of samples; `name` is what the options show.
Loss loss_of(const py::object& loss, const std::string& name);
/// A regularizer from (kind, decay_rate, exclude_biases, exclude_weights), or none for None.
Regularizer regularizer_of(const py::object& spec);

/// Callbacks that call `dispatch(event_name, data_dict)` for each event named in `events`.
TrainingCallbacks callbacks_of(const py::object& dispatch, const std::vector<std::string>& events);

/// Thrown on ranks whose own code did not fail when a Python callback or loss failed on
/// another rank; becomes hessnet.RemoteError (a RuntimeError).
class RemoteError : public Error {
 public:
  using Error::Error;
};

/// A Python exception raised in a callback or loss, carried through C++ as an Error whose
/// message is "TypeName: message (rank r)". The Python exception itself is kept, so that this
/// rank re-raises it unchanged once every rank has agreed on the failure (collective()).
/// hessnet.StopTraining becomes hessnet::StopTraining instead.
[[noreturn]] void rethrow_into_cpp(py::error_already_set& error);

/// Runs `call`, a collective step, on every rank. When it ends in a CollectiveError because
/// Python code failed on some rank, that rank re-raises its own Python exception and the
/// others raise RemoteError; any other CollectiveError passes unchanged (ValueError).
void collective(const Communicator& comm, const std::function<void()>& call);

/// Registers the exception classes (StopTraining, RemoteError) and the translations of C++
/// exceptions: InvalidArgument and DimensionMismatch (CollectiveError among them) to
/// ValueError, other hessnet errors to RuntimeError.
void register_exceptions(py::module_& m);

/// A stream that writes to Python's sys.stdout (so notebooks and pytest see the verbose
/// lines), line by line.
class PythonStdout : public std::streambuf {
 protected:
  int overflow(int c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  std::string pending_;
};

}  // namespace hessnet::python
