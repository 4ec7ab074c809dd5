# Policy engine and stores: decisions per second with the memory store, and
# messages stored, delivered and erased per second with the durable SQLite
# store (one at a time, and batched).
add_executable(bench_policy "${CMAKE_CURRENT_LIST_DIR}/policy.cpp")
target_link_libraries(bench_policy PRIVATE sipsaf::sipsaf sipsaf_warnings benchmark::benchmark)
find_package(SQLite3 QUIET)
if(SQLite3_FOUND)
  target_link_libraries(bench_policy PRIVATE SQLite::SQLite3)
  target_compile_definitions(bench_policy PRIVATE SIPSAF_BENCH_SQLITE=1)
endif()

# The same decisions, a given number of them, for counting instructions.
add_executable(policy_count "${CMAKE_CURRENT_LIST_DIR}/policy_count.cpp")
target_link_libraries(policy_count PRIVATE sipsaf::sipsaf sipsaf_warnings)
