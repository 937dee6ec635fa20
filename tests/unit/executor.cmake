ct_add_test(executor_unit_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/executor_test.cpp
            LIBS executor_lib ct_test_support LABELS unit)
