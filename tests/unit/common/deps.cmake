# What the example programs share (examples/common/) is tested here.
target_include_directories(sipsaf_test_${area} PRIVATE "${PROJECT_SOURCE_DIR}/examples")
