ct_add_test(rules_integration_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/rules_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pipeline_harness.cpp
            LIBS ct_test_support ct_totp nlohmann_json::nlohmann_json CURL::libcurl
            LABELS integration)
