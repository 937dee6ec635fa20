# Contract tests: common/smartapi against the real copytrade-sim binary over
# loopback.
ct_add_test(smartapi_contract_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/smartapi_contract_test.cpp
  LIBS ct_smartapi
  LABELS integration)
add_dependencies(smartapi_contract_tests copytrade-sim)
