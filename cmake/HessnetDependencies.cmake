# SPDX-License-Identifier: MIT
# Finds every dependency: the libraries' own (hessnetLibraryDependencies.cmake, also installed
# for find_package(hessnet)), then what only the program and the tests use.
include(${CMAKE_CURRENT_LIST_DIR}/hessnetLibraryDependencies.cmake)
find_package(CLI11 REQUIRED)
if(HESSNET_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
