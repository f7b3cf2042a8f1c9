# SPDX-License-Identifier: MIT
# The Python package: python/hessnet/*.py and the extension module _hessnet, laid out in
# ${PROJECT_BINARY_DIR}/python/hessnet so that PYTHONPATH=build/python imports it, and
# installed into HESSNET_PYTHON_INSTALL_DIR. The interpreter is the one CMake finds (pass
# -DPython_EXECUTABLE=... to choose); nothing here names a particular one.
set(hessnet_python_dir ${PROJECT_BINARY_DIR}/python)

execute_process(COMMAND ${Python_EXECUTABLE} -c "import mpi4py; print(mpi4py.get_include())"
                OUTPUT_VARIABLE HESSNET_MPI4PY_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE mpi4py_missing)
if(mpi4py_missing)
  message(FATAL_ERROR "HESSNET_PYTHON needs mpi4py for ${Python_EXECUTABLE} (Debian: python3-mpi4py), "
                      "or configure with -DHESSNET_PYTHON=OFF")
endif()

pybind11_add_module(hessnet_python MODULE python/src/module.cpp python/src/conversions.cpp python/src/trainer.cpp)
set_target_properties(hessnet_python PROPERTIES OUTPUT_NAME _hessnet LIBRARY_OUTPUT_DIRECTORY ${hessnet_python_dir}/hessnet)
target_include_directories(hessnet_python PRIVATE ${HESSNET_MPI4PY_INCLUDE})
target_link_libraries(hessnet_python PRIVATE hessnet::hessnet MPI::MPI_CXX fmt::fmt)
hessnet_set_warnings(hessnet_python)

# The pure-Python modules next to the extension, copied again whenever one changes.
file(GLOB hessnet_python_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/hessnet/*.py)
set(hessnet_python_copies)
foreach(source IN LISTS hessnet_python_sources)
  get_filename_component(name ${source} NAME)
  add_custom_command(OUTPUT ${hessnet_python_dir}/hessnet/${name}
                     COMMAND ${CMAKE_COMMAND} -E copy ${source} ${hessnet_python_dir}/hessnet/${name}
                     DEPENDS ${source})
  list(APPEND hessnet_python_copies ${hessnet_python_dir}/hessnet/${name})
endforeach()
add_custom_target(hessnet_python_package ALL DEPENDS ${hessnet_python_copies})
add_dependencies(hessnet_python hessnet_python_package)

# Where `cmake --install` puts the package: a site-packages directory relative to the prefix
# (then PYTHONPATH=PREFIX/<dir>), or an absolute one, e.g. a virtual environment's
# `python3 -c 'import sysconfig; print(sysconfig.get_path("platlib"))'`.
set(HESSNET_PYTHON_INSTALL_DIR
    "${CMAKE_INSTALL_LIBDIR}/python${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}/site-packages"
    CACHE STRING "Directory (absolute, or relative to the install prefix) the hessnet Python package goes to")
install(TARGETS hessnet_python LIBRARY DESTINATION ${HESSNET_PYTHON_INSTALL_DIR}/hessnet)
install(FILES ${hessnet_python_sources} DESTINATION ${HESSNET_PYTHON_INSTALL_DIR}/hessnet)
