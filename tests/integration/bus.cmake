# Reliable bus (issue 4): real publisher/subscriber processes on loopback.
foreach(role pub sub)
  add_executable(ct-bus-${role} ${CMAKE_CURRENT_LIST_DIR}/bus_peer.cpp)
  target_link_libraries(ct-bus-${role} PRIVATE ct_bus ct_log CLI11::CLI11)
endforeach()
target_compile_definitions(ct-bus-sub PRIVATE CT_BUS_PEER_SUBSCRIBER)

ct_add_test(bus_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bus_test.cpp
  LIBS ct_bus ct_test_support
  LABELS integration)
add_dependencies(bus_test ct-bus-pub ct-bus-sub)

# Capture and replay through the real pipeline. Uses the pipeline harness
# (tests/integration/pipeline_harness.*): keep LIBS in step with pipeline.cmake.
ct_add_test(bus_capture_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bus_capture_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pipeline_harness.cpp
  LIBS ct_test_support ct_totp cppzmq SQLite::SQLite3 nlohmann_json::nlohmann_json CURL::libcurl
  LABELS integration)
add_dependencies(bus_capture_test ct-bus-pub ct-bus-sub)

# Long random kill/stall runs of one stream: `make chaos`.
ct_add_test(bus_chaos_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bus_chaos_test.cpp
  LIBS ct_bus ct_test_support
  LABELS chaos)
add_dependencies(bus_chaos_test ct-bus-pub ct-bus-sub)
