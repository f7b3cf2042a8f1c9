// SPDX-License-Identifier: MIT
#pragma once

namespace hessnet {

/// Idle threads that spin take cores from the threads with work. libgomp's idle threads spin
/// for ~300,000 iterations after each parallel region unless OMP_WAIT_POLICY or
/// GOMP_SPINCOUNT says otherwise: between the element loops and the BLAS calls of one epoch
/// that took the core from OpenBLAS's own threads (a 13-32-1 net ran 6x slower on 2 threads
/// than on 1), and on shared cores from other processes. OpenBLAS's idle threads spin for
/// 2^OPENBLAS_THREAD_TIMEOUT cycles (default 2^28, ~0.1 s) after each threaded call, which
/// takes a core from the Hessian kernel's sample shares (one OpenMP thread each) that follow
/// the threaded forward pass: B1's kernel ran at 0.10 or 0.15 s depending on it. 2^16 cycles
/// (~25 us) keeps the pause between the steps of one factorization spinning.
///
/// Both libraries read their setting once, when they are loaded, so a program must have it in
/// its environment at start: this sets OMP_WAIT_POLICY=passive (when neither OpenMP variable
/// is set) and OPENBLAS_THREAD_TIMEOUT=16 (when unset) and re-executes the program (same pid,
/// same arguments) before MPI starts. A user's own settings are kept. Call first thing in
/// main(); returns if exec fails.
void use_passive_thread_waits(char** argv);

}  // namespace hessnet
