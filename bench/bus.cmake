# bench-bus: reliable stream latency (p50/p99) and throughput, ipc and tcp.
add_executable(bench-bus ${CMAKE_CURRENT_LIST_DIR}/bus_bench.cpp)
target_link_libraries(bench-bus PRIVATE ct_bus ct_log)
