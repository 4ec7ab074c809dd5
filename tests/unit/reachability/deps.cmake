# The reachability readers need expat (Debian: libexpat1-dev).
find_package(EXPAT REQUIRED)
target_link_libraries(sipsaf_test_${area} PRIVATE EXPAT::EXPAT)
