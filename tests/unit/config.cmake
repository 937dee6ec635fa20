ct_add_test(config_unit_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp LIBS ct_config LABELS unit)
