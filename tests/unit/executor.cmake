ct_add_test(executor_unit_tests
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/executor_test.cpp ${CMAKE_CURRENT_LIST_DIR}/worker_broker_test.cpp
            LIBS executor_lib ct_test_support LABELS unit)
