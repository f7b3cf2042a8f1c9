// SPDX-License-Identifier: MIT
#pragma once
/// @file Options of the optimizers, as plain structs with neupy's names and defaults.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

#include "hessnet/autodiff/hessian_kernel.hpp"
#include "hessnet/loss/loss.hpp"
#include "hessnet/loss/regularizer.hpp"
#include "hessnet/optim/callbacks.hpp"

namespace hessnet {

/// A loss given by name ("mse", "categorical_crossentropy", ...) or as a Loss object
/// (e.g. Loss::custom). Converts implicitly from both, so `.loss = "rmse"` works.
class LossChoice {
 public:
  LossChoice(const char* name) : choice_(std::string(name)) {}  // NOLINT: implicit by design
  LossChoice(std::string name) : choice_(std::move(name)) {}    // NOLINT
  LossChoice(Loss loss) : choice_(std::move(loss)) {}           // NOLINT

  /// The Loss; throws InvalidArgument "option loss = 'x': unknown loss ..." for a bad name.
  Loss resolve() const;
  /// The name, as printed among the options.
  std::string name() const;

 private:
  std::variant<std::string, Loss> choice_;
};

/// How the exact Hessian is summed into its block-cyclic layout.
struct AssemblyOptions {
  /// Columns per assembly panel; 0 picks one from the memory budget below.
  Index panel_width = 0;
  /// Bytes the panel buffers may take per rank when panel_width is 0.
  std::size_t panel_bytes = std::size_t{256} << 20;
  KernelOptions kernel = {};
  /// On several ranks, sum panel k (its exchange) while panel k + 1 is computed, in a second
  /// panel buffer (PanelReduction::Overlapped): the same matrix, more memory (assembly_bytes).
  bool overlap = false;
  /// Also write H's upper triangle (the mirror of each summed panel); false leaves it as it
  /// was. Optimizers clear it when a mixed-precision factorization needs only the lower
  /// triangle (DampedSystem mirrors on demand should a float64 one follow).
  bool both_triangles = true;
};

/// The arithmetic of the Cholesky factorizations: float64, or float32 with iterative
/// refinement to float64 accuracy (falling back to float64 when refinement stalls).
enum class Precision {
  Auto,    ///< mixed when the memory plan has room for the float32 copy (4 N^2 / P bytes), else double
  Double,  ///< float64 factorizations only
  Mixed,   ///< float32 factorizations; refused when the float32 copy does not fit
};

/// "auto", "double" or "mixed" (InvalidArgument otherwise), and back.
Precision parse_precision(const std::string& text);
const char* precision_name(Precision precision);

/// The ScaLAPACK layout of the distributed Hessian.
struct LayoutOptions {
  std::string grid = "auto";  ///< "PxQ" or "auto" (as square as the rank count allows)
  Index block_size = 128;     ///< nb of the block-cyclic layout
  AssemblyOptions assembly = {};
  Precision precision = Precision::Auto;  ///< of the factorizations
};

/// How lambda grows while H + lambda I is not positive definite, and how the adaptive
/// (Levenberg-Marquardt acceptance) mode moves it between epochs.
struct DampingOptions {
  double factor = 10;            ///< lambda multiplier after a failed factorization or rejected step
  int max_escalations = 12;      ///< lambda may grow to lambda * factor^max_escalations
  double from_zero = 1e-3;       ///< first lambda tried when escalating from 0
  double adaptive_floor = 1e-9;  ///< adaptive mode never lowers lambda below this
  /// The least N at which an update expecting an escalation probes H + lambda I with Lanczos
  /// before factoring it (DampedSystem::set_indefinite_probe); below it the probe's products
  /// cost too much against the factorization they may save.
  Index probe_min_order = 12000;
};

/// Options of hessnet::Hessian (neupy's `algorithms.Hessian`). Designated initializers must
/// follow this order: `{.penalty_const = 0.1, .loss = "rmse", .verbose = true}`.
struct HessianOptions {
  /// lambda in theta <- theta - (H + lambda I)^{-1} g; >= 0. Raised for an update whose
  /// H + lambda I is not positive definite, to twice the shift the failed factorization proves
  /// necessary plus penalty_const (docs/trust-region.md), as the update_end report shows.
  double penalty_const = 1;
  LossChoice loss = "mse";
  Regularizer regularizer = {};
  /// Verbose lines for the first epoch, every show_epoch-th and the last; >= 1.
  int show_epoch = 1;
  /// Reorder the training samples before each epoch (see docs/training.md: with full-batch
  /// updates this changes only rounding).
  bool shuffle_data = false;
  /// Seeds the HeNormal initialisation (when given an Architecture) and the shuffling.
  std::uint64_t seed = 0;
  TrainingCallbacks signals = {};
  /// Options, epochs and solver notes on rank 0.
  bool verbose = false;
  /// Where verbose lines go on rank 0; nullptr means std::cout.
  std::ostream* output = nullptr;
  /// Stop rules (MATLAB's train* parameters; each off by default). Training stops after the
  /// first epoch whose training loss (errors.train, before its update) is <= goal, or whose
  /// gradient norm is <= min_grad (when > 0), ...
  double goal = -std::numeric_limits<double>::infinity();
  double min_grad = 0;
  /// ... or after max_fail epochs in a row without a new best validation loss (early
  /// stopping; needs test data). With max_fail > 0 every train() call ends with the
  /// best-validation parameters in network(); a further train() call (or a checkpoint)
  /// continues the iteration from where it was. 0: off.
  int max_fail = 0;
  /// ... or once train() has run this many seconds (checked after each epoch). 0: off.
  double time_limit = 0;
  /// Levenberg-Marquardt acceptance: keep a step only if it lowers the loss, lambda shrinking
  /// by damping.factor after a success and growing after a failure.
  bool adaptive = false;
  /// Before each update, the smallest eigenvalue of the undamped H, in
  /// UpdateReport::min_eigenvalue: a full distributed eigensolve (pdsyev, O(N^3), several
  /// times a Cholesky factorization) on H's lower triangle; no extra N x N memory.
  bool log_curvature = false;
  /// Process grid, block size and assembly of the distributed Hessian.
  LayoutOptions layout = {};
  DampingOptions damping = {};
  /// neupy's Hessian has no step: setting this is an error.
  std::optional<double> step = std::nullopt;
};

/// Options of hessnet::HessianDiagonal:
/// theta <- theta - step * g * clip(1 / diag(H), -1/min_eigval, 1/min_eigval).
struct HessianDiagonalOptions {
  /// In (0, 1]: bounds |1 / H_ii| by 1 / min_eigval.
  double min_eigval = 1e-2;
  /// > 0.
  double step = 0.1;
  LossChoice loss = "mse";
  Regularizer regularizer = {};
  int show_epoch = 1;
  bool shuffle_data = false;
  std::uint64_t seed = 0;
  TrainingCallbacks signals = {};
  bool verbose = false;
  std::ostream* output = nullptr;
  double goal = -std::numeric_limits<double>::infinity();  ///< stop rules: see HessianOptions
  double min_grad = 0;
  int max_fail = 0;
  double time_limit = 0;
  /// Samples per chunk of the diagonal kernel are chosen to fit this many bytes.
  std::size_t chunk_bytes = std::size_t{32} << 20;
};

/// Options of hessnet::TrustRegion: exact-Hessian Newton steps in a trust region whose radius
/// follows how well the quadratic model predicted the loss (see TrustRegionRule).
struct TrustRegionOptions {
  /// First radius of the region |step| <= radius (SciPy trust-exact's initial_trust_radius).
  double initial_radius = 1;
  /// The radius never grows beyond this.
  double max_radius = 1000;
  /// A step is kept when actual / predicted decrease > eta, in [0, 1/4).
  double eta = 0.15;
  LossChoice loss = "mse";
  Regularizer regularizer = {};
  int show_epoch = 1;
  bool shuffle_data = false;
  std::uint64_t seed = 0;
  TrainingCallbacks signals = {};
  bool verbose = false;
  std::ostream* output = nullptr;
  double goal = -std::numeric_limits<double>::infinity();  ///< stop rules: see HessianOptions
  double min_grad = 0;
  int max_fail = 0;
  double time_limit = 0;
  bool log_curvature = false;
  LayoutOptions layout = {};
  DampingOptions damping = {};
  /// Steps solved again in a smaller radius, from the same H, before an update gives up.
  int max_rejections = 10;
};

/// Options of hessnet::LevenbergMarquardt (neupy's `algorithms.LevenbergMarquardt`), on
/// neupy's and MATLAB's scale: (J^T J + mu I) d = J^T e for the residuals e of all samples
/// and outputs. `{.mu = 0.001, .mu_update_factor = 10, .retry = true}` is MATLAB's trainlm.
struct LevenbergMarquardtOptions {
  double mu = 0.01;               ///< > 0
  double mu_update_factor = 1.2;  ///< > 1
  double mu_max = 1e10;           ///< with retry: training stops when mu exceeds it
  /// MATLAB trainlm: a step that does not lower the loss is solved again with a larger mu.
  /// Off: neupy's rule, every step applied and mu adapted from the loss of the last update.
  bool retry = false;
  /// mse (Gauss-Newton), or the cross-entropies and other losses through the generalised
  /// Gauss-Newton matrix J^T M J.
  LossChoice loss = "mse";
  Regularizer regularizer = {};
  int show_epoch = 1;
  bool shuffle_data = false;
  std::uint64_t seed = 0;
  TrainingCallbacks signals = {};
  bool verbose = false;
  std::ostream* output = nullptr;
  double goal = -std::numeric_limits<double>::infinity();  ///< stop rules: see HessianOptions
  double min_grad = 0;
  int max_fail = 0;
  double time_limit = 0;
  LayoutOptions layout = {};
  DampingOptions damping = {};
};

}  // namespace hessnet
