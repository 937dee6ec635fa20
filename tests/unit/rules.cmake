ct_add_test(router_unit_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/rules_test.cpp LIBS router_lib LABELS unit)
