# Message benchmark: parse to a view with Request-Disposition and the
# multipart parts, beside sofia-sip (msg_make + msg_multipart_parse) and
# osip2 (osip_message_parse) when they are installed.
add_executable(sipsaf_bench_message "${CMAKE_CURRENT_LIST_DIR}/message.cpp")
target_link_libraries(sipsaf_bench_message PRIVATE sipsaf::sipsaf sipsaf_warnings
  benchmark::benchmark)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(SIPSAF_MSG_SOFIA QUIET IMPORTED_TARGET sofia-sip-ua)
  pkg_check_modules(SIPSAF_MSG_OSIP QUIET IMPORTED_TARGET libosip2)
endif()
if(SIPSAF_MSG_SOFIA_FOUND)
  target_link_libraries(sipsaf_bench_message PRIVATE PkgConfig::SIPSAF_MSG_SOFIA)
  # Their headers are not ours to hold to -Werror.
  target_include_directories(sipsaf_bench_message SYSTEM PRIVATE ${SIPSAF_MSG_SOFIA_INCLUDE_DIRS})
  target_compile_definitions(sipsaf_bench_message PRIVATE SIPSAF_BENCH_SOFIA=1)
endif()
if(SIPSAF_MSG_OSIP_FOUND)
  target_link_libraries(sipsaf_bench_message PRIVATE PkgConfig::SIPSAF_MSG_OSIP)
  target_include_directories(sipsaf_bench_message SYSTEM PRIVATE ${SIPSAF_MSG_OSIP_INCLUDE_DIRS})
  target_compile_definitions(sipsaf_bench_message PRIVATE SIPSAF_BENCH_OSIP=1)
endif()
