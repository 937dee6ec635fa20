ct_add_test(totp_unit_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/totp_test.cpp
  LIBS ct_totp
  LABELS unit)
