# The proxy's pure pieces (digest, users and profiles files) use libcrypto and
# live beside the example programs.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
target_link_libraries(sipsaf_test_${area} PRIVATE OpenSSL::Crypto)
target_include_directories(sipsaf_test_${area} PRIVATE "${PROJECT_SOURCE_DIR}/examples")
