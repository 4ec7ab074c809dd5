# The user agent's pure pieces (its options, bodies and notification reading)
# live beside the example program; they use libcrypto and zlib.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(ZLIB REQUIRED)
target_link_libraries(sipsaf_test_${area} PRIVATE OpenSSL::Crypto ZLIB::ZLIB)
target_include_directories(sipsaf_test_${area} PRIVATE "${PROJECT_SOURCE_DIR}/examples")
