// SPDX-License-Identifier: MIT
#pragma once
// One C++ optimizer behind a Python one, and the table of the algorithms this build has.
#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "conversions.hpp"
#include "hessnet/train/optimizer.hpp"

namespace hessnet::python {

/// What a Python optimizer gives to make its C++ one.
struct TrainerSpec {
  py::list layers;
  py::object parameters;  ///< None: HeNormal from the seed option
  py::dict options;       ///< name -> value, only those the caller set (the rest keep their C++ defaults)
  py::object loss_name;   ///< shown among the options for a loss function
  Communicator comm;
  TrainingCallbacks signals;
  std::ostream* output = nullptr;
};

/// An algorithm of the table: its option names and how to make it.
struct Algorithm {
  std::vector<std::string> options;  ///< every keyword the constructor takes, besides signals
  std::function<std::unique_ptr<Optimizer>(TrainerSpec&)> make;
  std::function<OptionList()> defaults;  ///< the checked default options
};

/// The algorithms this build has, by neupy's class name (Hessian, HessianDiagonal, ...).
const std::map<std::string, Algorithm>& algorithms();

/// A C++ optimizer owned by a Python one. Every method that trains, scores or writes is
/// collective over the optimizer's communicator.
class Trainer {
 public:
  Trainer(const std::string& algorithm, py::list layers, py::object parameters, py::dict options, py::object comm,
          py::object dispatch, std::vector<std::string> events);

  /// Collective. Every rank passes all rows (sharded = false) or only its own block
  /// (sharded = true, laid out as shard_rows); x_test and y_test may be None.
  void train(const Array& x, const Array& y, const py::object& x_test, const py::object& y_test, int epochs,
             bool sharded);
  /// Local. One output row per input row.
  py::array_t<double> predict(const Array& x) const;
  /// Collective. The loss without the regularizer.
  double score(const Array& x, const Array& y, bool sharded) const;

  py::list train_errors() const { return py::cast(optimizer_->errors.train); }
  py::list valid_errors() const { return py::cast(optimizer_->errors.valid); }
  int last_epoch() const { return optimizer_->last_epoch; }
  Index n_updates_made() const { return optimizer_->n_updates_made; }
  bool stopped() const { return optimizer_->stopped(); }
  std::string stop_message() const { return optimizer_->stop_message(); }
  py::array_t<double> parameters() const { return to_numpy(optimizer_->network().parameters()); }
  /// Collective. Optimizer::set_parameters.
  void set_parameters(const Array& theta);
  py::list layers() const { return layers_of(optimizer_->network().architecture()); }
  /// The algorithm's checked options as (name, value) pairs, as the verbose output prints them.
  py::dict options() const;
  std::string algorithm() const { return optimizer_->options_list().algorithm; }

  /// Collective. Checkpoints (docs/checkpoints.md), written by rank 0 / read and broadcast.
  void save_checkpoint(const std::string& path) const;
  void restore_checkpoint(const std::string& path);

 private:
  std::unique_ptr<PythonStdout> stdout_buffer_;
  std::unique_ptr<std::ostream> stdout_;
  std::unique_ptr<Optimizer> optimizer_;
};

/// Typed option values as Python objects.
py::object option_value(const OptionValue& value);

}  // namespace hessnet::python
