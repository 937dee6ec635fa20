# copytrade-dashboard with the pipeline on the emulator: headless Chromium
# on the page, /metrics through python3-prometheus-client, token and CSRF.
ct_add_test(dashboard_integration_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/dashboard_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pipeline_harness.cpp
            LIBS ct_test_support ct_totp nlohmann_json::nlohmann_json CURL::libcurl Boost::boost Threads::Threads
            LABELS integration)
add_dependencies(dashboard_integration_tests copytrade-dashboard)
