# The watcher's change detection, store, baseline and journal (no processes).
ct_add_test(watcher_unit_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tracker_test.cpp
  LIBS watcher_lib ct_test_support
  LABELS unit)
