ct_add_test(pipeline_integration_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipeline_test.cpp ${CMAKE_CURRENT_LIST_DIR}/execution_test.cpp
                    ${CMAKE_CURRENT_LIST_DIR}/pipeline_harness.cpp
            LIBS ct_test_support ct_totp nlohmann_json::nlohmann_json CURL::libcurl
            LABELS integration)
