# The order lifecycle (issue 9) against the emulator: complete and mirror
# modes, exits that leave followers flat. Real processes on loopback.
ct_add_test(lifecycle_integration_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/lifecycle_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pipeline_harness.cpp
            LIBS ct_test_support ct_totp nlohmann_json::nlohmann_json CURL::libcurl
            LABELS integration)
