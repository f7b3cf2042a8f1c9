# SPDX-License-Identifier: MIT
function(hessnet_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion $<$<BOOL:${HESSNET_ENABLE_WERROR}>:-Werror>)
endfunction()

# hessnet_add_library(NAME DIRS d1 d2 ...): one static library from src/<d>/*.cpp.
function(hessnet_add_library name)
  cmake_parse_arguments(ARG "" "" "DIRS" ${ARGN})
  set(sources)
  foreach(dir IN LISTS ARG_DIRS)
    file(GLOB found CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${dir}/*.cpp)
    list(APPEND sources ${found})
  endforeach()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                            $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  # Eigen's large products go to OpenBLAS dgemm instead of Eigen's own kernels.
  target_compile_definitions(${name} PUBLIC EIGEN_USE_BLAS)
  hessnet_set_warnings(${name})
endfunction()

# hessnet_add_mpi_test(NAME EXE RANKS): runs the whole binary under mpiexec with RANKS ranks.
function(hessnet_add_mpi_test name exe ranks)
  if(ranks GREATER HESSNET_TEST_MAX_RANKS)
    message(STATUS "skipping ${name}_np${ranks}: more than HESSNET_TEST_MAX_RANKS ranks")
    return()
  endif()
  add_test(NAME ${name}_np${ranks}
    COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${MPIEXEC_PREFLAGS}
            $<TARGET_FILE:${exe}> ${MPIEXEC_POSTFLAGS} ${ARGN})
  # Open MPI refuses root and more ranks than cores unless told; other MPIs ignore these.
  set_tests_properties(${name}_np${ranks} PROPERTIES PROCESSORS ${ranks} TIMEOUT 300 LABELS mpi
    ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OPENBLAS_NUM_THREADS=1")
endfunction()
