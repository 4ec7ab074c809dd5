# The digest values live with the examples (examples/common/digest.hpp) and
# hash with libcrypto (Debian: libssl-dev).
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(Threads REQUIRED)
target_include_directories(${fuzz_target} PRIVATE "${PROJECT_SOURCE_DIR}/examples")
target_link_libraries(${fuzz_target} PRIVATE OpenSSL::Crypto Threads::Threads)
