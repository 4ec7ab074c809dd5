# End-to-end suites: tests/<suite>/cases.py CASE --proxy P --ua U --port N --work DIR
# runs one case on loopback (with whatever servers it starts itself) and exits
# 0, 1, or 77 when a program it needs is missing.
#
#   sipsaf_add_cases(PREFIX e2e LABEL e2e PORT 31000 STEP 20 TIMEOUT 240
#                    [LOCK name [LOCKED case...]] CASES case...)
#
# adds each case as the ctest `<PREFIX>.<case>` with a port range of its own,
# so that suites and cases can run in parallel. Every range stays below 32768,
# where Linux's ephemeral ports begin (ip_local_port_range): a fixed port up
# there can be taken at any moment by a client's outgoing connection. LOCK
# names a RESOURCE_LOCK for the cases that load the machine: the LOCKED ones,
# or every case.
function(sipsaf_add_cases)
  cmake_parse_arguments(A "" "PREFIX;LABEL;PORT;STEP;TIMEOUT;LOCK" "CASES;LOCKED" ${ARGN})
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(NOT Python3_Interpreter_FOUND)
    message(STATUS "sipsaf: python3 not found, ${A_PREFIX} tests skipped")
    return()
  endif()
  if(CMAKE_VERSION VERSION_LESS 3.19)
    # No deferred calls: the cases use the programs' build-tree paths and
    # skip themselves when the programs are not there.
    sipsaf_add_cases_now("${CMAKE_CURRENT_SOURCE_DIR}" "${CMAKE_CURRENT_BINARY_DIR}"
      "${Python3_EXECUTABLE}" "${A_PREFIX}" "${A_LABEL}" "${A_PORT}" "${A_STEP}" "${A_TIMEOUT}"
      "${A_LOCK}" "${A_CASES}" "${A_LOCKED}")
  else()
    # The programs are examples, added after tests/: the cases are added at
    # the end of the top-level directory, when it is known whether they exist.
    cmake_language(EVAL CODE "
      cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]] CALL sipsaf_add_cases_now
        [[${CMAKE_CURRENT_SOURCE_DIR}]] [[${CMAKE_CURRENT_BINARY_DIR}]] [[${Python3_EXECUTABLE}]]
        [[${A_PREFIX}]] [[${A_LABEL}]] [[${A_PORT}]] [[${A_STEP}]] [[${A_TIMEOUT}]] [[${A_LOCK}]]
        [[${A_CASES}]] [[${A_LOCKED}]])")
  endif()
endfunction()

function(sipsaf_add_cases_now source_dir binary_dir python prefix label port step timeout lock
         cases locked)
  set(proxy "${PROJECT_BINARY_DIR}/examples/proxy/sipsaf-proxy")
  set(ua "${PROJECT_BINARY_DIR}/examples/ua/sipsaf-ua")
  if(TARGET sipsaf-proxy)
    set(proxy "$<TARGET_FILE:sipsaf-proxy>")
  endif()
  if(TARGET sipsaf-ua)
    set(ua "$<TARGET_FILE:sipsaf-ua>")
  endif()
  list(LENGTH cases count)
  math(EXPR last "${port} + ${count} * ${step}")
  if(last GREATER 32768)
    message(FATAL_ERROR "${prefix}: ports ${port}-${last} reach the ephemeral range (32768 and up)")
  endif()
  foreach(c IN LISTS cases)
    add_test(NAME ${prefix}.${c}
      COMMAND "${python}" "${source_dir}/cases.py" ${c}
        --proxy "${proxy}" --ua "${ua}" --port ${port} --work "${binary_dir}/work"
      WORKING_DIRECTORY "${binary_dir}")
    set_tests_properties(${prefix}.${c} PROPERTIES SKIP_RETURN_CODE 77 LABELS ${label}
      TIMEOUT ${timeout})
    if(lock AND (NOT locked OR c IN_LIST locked))
      set_tests_properties(${prefix}.${c} PROPERTIES RESOURCE_LOCK ${lock})
    endif()
    math(EXPR port "${port} + ${step}")
  endforeach()
endfunction()
