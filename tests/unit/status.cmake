ct_add_test(status_unit_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/status_test.cpp LIBS tools_lib LABELS unit)
