# The pidf reader needs expat (Debian: libexpat1-dev).
find_package(EXPAT REQUIRED)
target_link_libraries(${fuzz_target} PRIVATE EXPAT::EXPAT)
