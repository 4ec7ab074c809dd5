# cmake -DCPACK=<cpack> -DBUILD_DIR=<sipsaf build> -DOUT_DIR=<dir> -P make_deb.cmake
# Builds the Debian package with CPack into a fresh directory of its own,
# so it never races with a `cpack` run by hand in the build tree.
file(REMOVE_RECURSE "${OUT_DIR}")
execute_process(
  COMMAND "${CPACK}" -G DEB -B "${OUT_DIR}" --config "${BUILD_DIR}/CPackConfig.cmake"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack -G DEB failed: ${rc}")
endif()
file(GLOB debs "${OUT_DIR}/*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${OUT_DIR}, found: ${debs}")
endif()
