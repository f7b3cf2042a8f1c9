# SPDX-License-Identifier: MIT
# What the hessnet libraries link against, wrapped into hessnet::blas and hessnet::scalapack.
# Used by the build and, installed next to hessnetConfig.cmake, by projects that
# find_package(hessnet): the same OpenBLAS and ScaLAPACK lookups in both.
include(CMakeFindDependencyMacro)
set(MPI_CXX_SKIP_MPICXX ON)  # Open MPI's old C++ bindings warn under -Wextra.
find_dependency(MPI COMPONENTS CXX)
find_dependency(Eigen3 3.4 NO_MODULE)
find_dependency(nlohmann_json 3.10)
find_dependency(fmt)
find_dependency(Threads)
find_dependency(OpenMP COMPONENTS CXX)
find_dependency(PkgConfig)

if(NOT TARGET hessnet::blas)
  # OpenBLAS by name: a generic -lblas may resolve to reference BLAS, 20x slower.
  set(BLA_VENDOR OpenBLAS)
  find_dependency(BLAS)
  find_dependency(LAPACK)
  add_library(hessnet::blas INTERFACE IMPORTED)
  target_link_libraries(hessnet::blas INTERFACE LAPACK::LAPACK BLAS::BLAS)
endif()

if(NOT TARGET hessnet::scalapack)
  # Debian's scalapack CMake config points at a missing file; pkg-config is reliable.
  pkg_search_module(SCALAPACK REQUIRED IMPORTED_TARGET scalapack-openmpi scalapack)
  add_library(hessnet::scalapack INTERFACE IMPORTED)
  target_link_libraries(hessnet::scalapack INTERFACE PkgConfig::SCALAPACK hessnet::blas)
endif()
