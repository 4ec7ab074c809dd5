# cmake -DBUILD_DIR=<sipsaf build> -DPREFIX=<dir> -P install_prefix.cmake
# Installs what a consumer gets (the "headers" component) into a fresh prefix.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" --component headers
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f IN ITEMS include/sipsaf.hpp share/cmake/sipsaf/sipsafConfig.cmake
               share/cmake/sipsaf/sipsafConfigVersion.cmake share/pkgconfig/sipsaf.pc)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "${PREFIX}/${f} was not installed")
  endif()
endforeach()
