# The copytrade-sim binary over loopback: HTTP keep-alive, the order-update
# WebSocket, the 2026 rules, the app, faults, malformed input, signals.
ct_add_test(sim_integration_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_server_test.cpp
  LIBS sim_lib ct_test_support
  LABELS integration)
add_dependencies(sim_integration_tests copytrade-sim)
