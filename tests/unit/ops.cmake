# The operator's tools: the CLI's validate probes, the supervisord
# generator and event-listener protocol, and the alerts library.
ct_add_test(ops_unit_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/tools_test.cpp ${CMAKE_CURRENT_LIST_DIR}/alerts_test.cpp
                    ${CMAKE_CURRENT_LIST_DIR}/report_test.cpp
            LIBS tools_lib router_lib ct_alerts ct_test_support SQLite::SQLite3
            LABELS unit)
