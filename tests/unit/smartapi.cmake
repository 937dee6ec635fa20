ct_add_test(smartapi_unit_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/smartapi_parse_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/smartapi_client_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/smartapi_rate_limiter_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/smartapi_curl_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/smartapi_tls_test.cpp
  LIBS ct_smartapi OpenSSL::SSL OpenSSL::Crypto
  LABELS unit)
