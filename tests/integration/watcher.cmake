# The watcher against the emulator: real copytrade-watcher, copytrade-sim and
# `copytrade capture` processes on loopback.
ct_add_test(watcher_integration_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/watcher_test.cpp
  LIBS ct_test_support ct_smartapi ct_totp ct_bus nlohmann_json::nlohmann_json
  LABELS integration)
