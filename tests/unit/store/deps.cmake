# sqlite_store needs libsqlite3 (Debian: libsqlite3-dev).
find_package(SQLite3 REQUIRED)
target_link_libraries(sipsaf_test_${area} PRIVATE SQLite::SQLite3)
