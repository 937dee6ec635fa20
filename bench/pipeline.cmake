# bench-pipeline: master order -> each follower's placeOrder at the emulator,
# with the real processes (sim, watcher, router, executors) on loopback.
add_executable(bench-pipeline ${CMAKE_CURRENT_LIST_DIR}/pipeline_bench.cpp)
target_link_libraries(bench-pipeline PRIVATE ct_test_support ct_totp nlohmann_json::nlohmann_json CURL::libcurl)
target_compile_definitions(bench-pipeline PRIVATE CT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(bench-pipeline copytrade-sim copytrade-watcher copytrade-router copytrade-executor)
