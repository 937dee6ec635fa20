# placeOrder round trip, common/smartapi client + copytrade-sim on loopback.
add_executable(bench-smartapi-place ${CMAKE_CURRENT_LIST_DIR}/smartapi_place_bench.cpp)
target_link_libraries(bench-smartapi-place PRIVATE ct_smartapi)
target_compile_definitions(bench-smartapi-place PRIVATE
  CT_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
add_dependencies(bench-smartapi-place copytrade-sim)
