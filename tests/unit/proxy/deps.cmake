# The proxy's pure pieces (digest, users and profiles files, the registrar)
# live beside the example programs; they use libcrypto and Asio's headers.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(Threads REQUIRED)
target_sources(sipsaf_test_${area} PRIVATE "${PROJECT_SOURCE_DIR}/examples/proxy/registrar.cpp")
target_link_libraries(sipsaf_test_${area} PRIVATE OpenSSL::Crypto Threads::Threads)
target_include_directories(sipsaf_test_${area} PRIVATE "${PROJECT_SOURCE_DIR}/examples")
