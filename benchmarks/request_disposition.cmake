# Request-Disposition parsing, beside sofia-sip's parser when it is installed.
add_executable(bench_request_disposition "${CMAKE_CURRENT_LIST_DIR}/request_disposition.cpp")
target_link_libraries(bench_request_disposition PRIVATE sipsaf::sipsaf sipsaf_warnings
  benchmark::benchmark)
if(PkgConfig_FOUND)
  pkg_check_modules(SOFIA_SIP IMPORTED_TARGET sofia-sip-ua)
  if(SOFIA_SIP_FOUND)
    target_link_libraries(bench_request_disposition PRIVATE PkgConfig::SOFIA_SIP)
    target_compile_definitions(bench_request_disposition PRIVATE SIPSAF_BENCH_SOFIA=1)
  endif()
endif()
