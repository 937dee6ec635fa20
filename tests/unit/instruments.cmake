# Unit tests of the instrument data (common/instruments): parsing, segments,
# underlyings, freeze quantities, the daily download and its lock; one test
# runs libcurl against python3's http.server on loopback.
ct_add_test(instruments_unit_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/instruments_test.cpp
  LIBS ct_instruments ct_test_support
  LABELS unit)
