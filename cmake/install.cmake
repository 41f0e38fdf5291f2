# install.cmake -- what `cmake --install` (or `make install PREFIX=...`) puts
# in place, relocatably (nothing below depends on the configure-time prefix):
#   lib/libhsomp.so{,.1}            the runtime
#   lib/hsomp/libgomp.so.1          -> ../libhsomp.so.1: hsomp under libgomp's
#                                   name, for programs already linked
#   lib/hsomp/libgomp.so            -> ../libhsomp.so.1: makes the -lgomp that
#                                   gcc -fopenmp adds link to hsomp
#   bin/hsomp-run                   the launcher (finds lib/hsomp from its
#                                   own location)
#   include/hsomp_ext.h             hsomp's own API (hsomp_get_capability, ...)
#   lib/pkgconfig/hsomp.pc          pkg-config hsomp
#   lib/cmake/hsomp/                find_package(hsomp): hsomp::hsomp, HSOMP_RUN
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The GHC RTS libraries stay where Debian's ghc put them (absolute paths),
# so the installed library keeps the build's run path to them; without it
# CMake's install step drops the -Wl,-rpath given at link time.
string(REPLACE ":" ";" _ghc_rpath_list "${GHC_RPATH}")
list(REMOVE_ITEM _ghc_rpath_list "")
set_target_properties(hsomp PROPERTIES INSTALL_RPATH "${_ghc_rpath_list}")
install(TARGETS hsomp EXPORT hsompTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
target_link_directories(hsomp INTERFACE
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_LIBDIR}/hsomp>)
install(FILES include/hsomp_ext.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
target_include_directories(hsomp INTERFACE
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

# The two aliases are made here as (dangling) relative symlinks and
# installed as symlinks.
set(_alias_dir ${CMAKE_BINARY_DIR}/install/aliases)
file(MAKE_DIRECTORY ${_alias_dir})
foreach(_name libgomp.so.1 libgomp.so)
  file(CREATE_LINK ../libhsomp.so.1 ${_alias_dir}/${_name} SYMBOLIC)
  install(FILES ${_alias_dir}/${_name} DESTINATION ${CMAKE_INSTALL_LIBDIR}/hsomp)
endforeach()

# The timeline tool (hsomp-run --trace) and the OMPT header for tools.
install(TARGETS hsomp-trace LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/hsomp)
install(FILES ${CMAKE_SOURCE_DIR}/src/ompt/omp-tools.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hsomp)

# hsomp-run, relocatable: the library directory relative to bin/.
file(RELATIVE_PATH HSOMP_RUN_LIBDIR ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_LIBDIR}/hsomp)
configure_file(tools/hsomp-run.in ${CMAKE_BINARY_DIR}/install/hsomp-run @ONLY)
install(PROGRAMS ${CMAKE_BINARY_DIR}/install/hsomp-run DESTINATION ${CMAKE_INSTALL_BINDIR})

# pkg-config, relocatable through ${pcfiledir}.
file(RELATIVE_PATH HSOMP_PC_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" HSOMP_PC_PREFIX "${HSOMP_PC_PREFIX}")
configure_file(tools/hsomp.pc.in ${CMAKE_BINARY_DIR}/install/hsomp.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/install/hsomp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package.
set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/hsomp)
install(EXPORT hsompTargets NAMESPACE hsomp:: DESTINATION ${_cmake_dir})
configure_package_config_file(tools/hsompConfig.cmake.in
  ${CMAKE_BINARY_DIR}/install/hsompConfig.cmake
  INSTALL_DESTINATION ${_cmake_dir}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/install/hsompConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/install/hsompConfig.cmake
              ${CMAKE_BINARY_DIR}/install/hsompConfigVersion.cmake
        DESTINATION ${_cmake_dir})
