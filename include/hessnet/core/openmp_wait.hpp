// SPDX-License-Identifier: MIT
#pragma once

namespace hessnet {

/// libgomp's idle threads spin for ~300,000 iterations after each parallel region unless
/// OMP_WAIT_POLICY or GOMP_SPINCOUNT says otherwise. Between the element loops and the BLAS
/// calls of one epoch that spin takes the core from OpenBLAS's own threads (a 13-32-1 net ran
/// 6x slower on 2 threads than on 1), and on shared cores from other processes. libgomp reads
/// the policy once, when it is loaded, so a program that wants the passive policy must have it
/// in its environment at start: when neither variable is set, this sets
/// OMP_WAIT_POLICY=passive and re-executes the program (same pid, same arguments) before MPI
/// starts. A user's own setting is kept. Call first thing in main(); returns if exec fails.
void use_passive_openmp_wait(char** argv);

}  // namespace hessnet
