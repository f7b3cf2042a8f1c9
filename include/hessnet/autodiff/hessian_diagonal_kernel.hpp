// SPDX-License-Identifier: MIT
#pragma once
/// @file The exact diagonal of the Hessian, computed without forming the Hessian.
#include <cstddef>

#include "hessnet/autodiff/shard_state.hpp"

namespace hessnet {

/// This shard's share of the diagonal of the inner-loss Hessian (length N, the flat order).
///
/// For dense layer m the per-sample core \f$ C_{m,m} = \partial^2 l / \partial z_m^2 \f$ obeys
/// \f[ C_{L,L} = M, \qquad C_{m,m} = D_m + B_m^T C_{m+1,m+1} B_m,
///     \quad B_m = W_{m+1}^T \operatorname{diag}(\varphi'_m), \f]
/// and since z_m is linear in layer m's parameters, the diagonal entry of weight
/// (input j, unit i) is \f$ \sum_s C^s_{m,m}[i,i]\,\bar a^s_{m-1}[j]^2 \f$ (abar: the
/// activation of layer m-1 with a trailing 1 for the bias row). This is the true diagonal
/// (neupy's HessianDiagonal uses row sums of blocks instead).
///
/// Samples go in chunks sized to `chunk_bytes`; per chunk of k samples the cores of all k
/// are stacked so that each layer costs two GEMMs: \f$ P = [C_1;\dots;C_k] W^T \f$, then
/// \f$ W P_s \f$ for all s at once through a reshape of P. Memory: O(N + k max_units^2).
/// No MPI: the caller sums the shards.
Vector inner_hessian_diagonal(const ShardState& state, std::size_t chunk_bytes = std::size_t{32} << 20);

}  // namespace hessnet
