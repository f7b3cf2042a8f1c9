# SPDX-License-Identifier: MIT
# Finds every dependency and wraps BLAS and ScaLAPACK into one imported target each.
set(MPI_CXX_SKIP_MPICXX ON)   # Open MPI's old C++ bindings warn under -Wextra.
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# OpenBLAS by name: a generic -lblas may resolve to reference BLAS, 20x slower.
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
add_library(hessnet::blas INTERFACE IMPORTED)
target_link_libraries(hessnet::blas INTERFACE LAPACK::LAPACK BLAS::BLAS)

# Debian's scalapack CMake config points at a missing file; pkg-config is reliable.
pkg_search_module(SCALAPACK REQUIRED IMPORTED_TARGET scalapack-openmpi scalapack)
add_library(hessnet::scalapack INTERFACE IMPORTED)
target_link_libraries(hessnet::scalapack INTERFACE PkgConfig::SCALAPACK hessnet::blas)

if(HESSNET_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
