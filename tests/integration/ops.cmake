# The operator's side against real processes: `copytrade validate` (one
# test per check, against copytrade-sim), `copytrade deploy supervisord` and
# the alert listener under a real supervisord, and log/record masking with
# a PIN of 0000 through the whole pipeline.
ct_add_test(ops_integration_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/ops_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pipeline_harness.cpp
            LIBS ct_test_support ct_totp router_lib nlohmann_json::nlohmann_json CURL::libcurl
            LABELS integration)
