ct_add_test(bus_unit_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bus_unit_test.cpp
  LIBS ct_bus ct_config ct_test_support
  LABELS unit)
