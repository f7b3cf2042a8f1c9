// SPDX-License-Identifier: MIT
#pragma once
/// @file Declarations of the BLACS, ScaLAPACK and PBLAS entry points hessnet calls.
/// Debian ships no headers for them, so we declare what we use, nothing more.
///
/// Conventions (LP64 ScaLAPACK, gfortran ABI):
/// - Fortran routines take every argument by pointer; indices are 1-based.
/// - Fortran routines with CHARACTER arguments take one hidden trailing length per
///   character argument (size_t since gfortran 8). We pass them: omitting them is undefined
///   behaviour that gfortran's sibling-call optimisation has turned into real crashes.
/// - PBLAS (pdgemv_, pdsymv_) and pdgemr2d_ are written in C and take `char*` without lengths.
/// - BLACS C interface (Cblacs_*) takes values; a context is an int.
/// Only dist/ includes this header.
#include <mpi.h>

#include <cstddef>

namespace hessnet::scalapack {
/// Type of gfortran's hidden CHARACTER length arguments.
using CharLength = std::size_t;
/// Length of every single-character argument we pass.
inline constexpr CharLength k_one_char = 1;
}  // namespace hessnet::scalapack

extern "C" {

// ---- BLACS (C interface) ----
void Cblacs_get(int context, int what, int* value);
void Cblacs_gridinit(int* context, const char* order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);
int Cblacs_pnum(int context, int prow, int pcol);
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);

// ---- ScaLAPACK tools (Fortran) ----
int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb, const int* irsrc, const int* icsrc,
               const int* context, const int* lld, int* info);
int indxg2p_(const int* indxglob, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void pdelset_(double* a, const int* ia, const int* ja, const int* desca, const double* alpha);
void pdelget_(const char* scope, const char* top, double* alpha, const double* a, const int* ia, const int* ja,
              const int* desca, hessnet::scalapack::CharLength scope_len, hessnet::scalapack::CharLength top_len);
void pdlaset_(const char* uplo, const int* m, const int* n, const double* alpha, const double* beta, double* a,
              const int* ia, const int* ja, const int* desca, hessnet::scalapack::CharLength uplo_len);

// ---- ScaLAPACK drivers and computational routines (Fortran) ----
void pdposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* ia, const int* ja, const int* desca,
             double* b, const int* ib, const int* jb, const int* descb, int* info,
             hessnet::scalapack::CharLength uplo_len);
void pdpotrf_(const char* uplo, const int* n, double* a, const int* ia, const int* ja, const int* desca, int* info,
              hessnet::scalapack::CharLength uplo_len);
void pdpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* ia, const int* ja,
              const int* desca, double* b, const int* ib, const int* jb, const int* descb, int* info,
              hessnet::scalapack::CharLength uplo_len);
void pspotrf_(const char* uplo, const int* n, float* a, const int* ia, const int* ja, const int* desca, int* info,
              hessnet::scalapack::CharLength uplo_len);
void pspotrs_(const char* uplo, const int* n, const int* nrhs, const float* a, const int* ia, const int* ja,
              const int* desca, float* b, const int* ib, const int* jb, const int* descb, int* info,
              hessnet::scalapack::CharLength uplo_len);
double pdlange_(const char* norm, const int* m, const int* n, const double* a, const int* ia, const int* ja,
                const int* desca, double* work, hessnet::scalapack::CharLength norm_len);
void pdsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* ia, const int* ja,
              const int* desca, double* w, double* z, const int* iz, const int* jz, const int* descz, double* work,
              const int* lwork, int* iwork, const int* liwork, int* info, hessnet::scalapack::CharLength jobz_len,
              hessnet::scalapack::CharLength uplo_len);

// ---- Redistribution and PBLAS (C) ----
void pdgemr2d_(const int* m, const int* n, const double* a, const int* ia, const int* ja, const int* desca, double* b,
               const int* ib, const int* jb, const int* descb, const int* context);
void pdgemv_(const char* trans, const int* m, const int* n, const double* alpha, const double* a, const int* ia,
             const int* ja, const int* desca, const double* x, const int* ix, const int* jx, const int* descx,
             const int* incx, const double* beta, double* y, const int* iy, const int* jy, const int* descy,
             const int* incy);
void pdtrsv_(const char* uplo, const char* trans, const char* diag, const int* n, const double* a, const int* ia,
             const int* ja, const int* desca, double* x, const int* ix, const int* jx, const int* descx,
             const int* incx);
void pstrsv_(const char* uplo, const char* trans, const char* diag, const int* n, const float* a, const int* ia,
             const int* ja, const int* desca, float* x, const int* ix, const int* jx, const int* descx,
             const int* incx);
void pdsymv_(const char* uplo, const int* n, const double* alpha, const double* a, const int* ia, const int* ja,
             const int* desca, const double* x, const int* ix, const int* jx, const int* descx, const int* incx,
             const double* beta, double* y, const int* iy, const int* jy, const int* descy, const int* incy);

}  // extern "C"
