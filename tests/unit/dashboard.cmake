ct_add_test(dashboard_unit_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/dashboard_test.cpp
            LIBS dashboard_lib
            LABELS unit)
