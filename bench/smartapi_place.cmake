# placeOrder round trip, common/smartapi client + copytrade-sim on loopback.
add_executable(smartapi_place_bench ${CMAKE_CURRENT_LIST_DIR}/smartapi_place_bench.cpp)
target_link_libraries(smartapi_place_bench PRIVATE ct_smartapi)
target_compile_definitions(smartapi_place_bench PRIVATE
  CT_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
add_dependencies(smartapi_place_bench copytrade-sim)
