# Unit tests of the SmartAPI emulator's logic (no sockets).
ct_add_test(sim_unit_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/sim_format_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_engine_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_rate_limiter_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_api_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_shapes_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_feed_sessions_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_rules_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sim_lpp_freeze_test.cpp
  LIBS sim_lib
  LABELS unit)
