# Fleet server tests (label: server). Included from tests/tests.cmake.
add_executable(toit-fleet ${CMAKE_SOURCE_DIR}/tests/server/fleet_driver.c)
target_link_libraries(toit-fleet PRIVATE toitfleet)

add_executable(fleet-device ${CMAKE_SOURCE_DIR}/tests/server/fleet_device.c)
target_link_libraries(fleet-device PRIVATE toitfleet m)

add_executable(test_srv_store ${CMAKE_SOURCE_DIR}/tests/server/test_srv_store.c)
target_link_libraries(test_srv_store PRIVATE toitfleet)
add_test(NAME server/store COMMAND test_srv_store)

add_test(NAME server/api-sqlite
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/api_test.py --toit $<TARGET_FILE:toit-fleet> --db sqlite)
add_test(NAME server/cli
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/cli_test.py --toit $<TARGET_FILE:toit-fleet>
                 --device $<TARGET_FILE:fleet-device>)
set_tests_properties(server/store server/api-sqlite server/cli PROPERTIES LABELS server TIMEOUT 120)
add_test(NAME server/sync-sqlite
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/sync_test.py --toit $<TARGET_FILE:toit-fleet> --db sqlite)
set_tests_properties(server/sync-sqlite PROPERTIES LABELS server TIMEOUT 120)
add_test(NAME server/rollout-sqlite
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/rollout_test.py --toit $<TARGET_FILE:toit-fleet> --db sqlite)
set_tests_properties(server/rollout-sqlite PROPERTIES LABELS server TIMEOUT 120)
add_test(NAME server/firmware-sqlite
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/firmware_test.py --toit $<TARGET_FILE:toit-fleet> --db sqlite)
set_tests_properties(server/firmware-sqlite PROPERTIES LABELS server TIMEOUT 120)
add_test(NAME server/migrate-sqlite
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/migrate_test.py --toit $<TARGET_FILE:toit-fleet>)
set_tests_properties(server/migrate-sqlite PROPERTIES LABELS server TIMEOUT 60)
# The same suites on a private PostgreSQL cluster, plus two instances on one DB.
add_test(NAME server/postgres
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/pg_test.py --toit $<TARGET_FILE:toit-fleet>)
set_tests_properties(server/postgres PROPERTIES LABELS server TIMEOUT 180)
# `make demo`'s fleet part, on a free port for a few seconds.
add_test(NAME server/demo COMMAND ${CMAKE_COMMAND} -E env TOIT=$<TARGET_FILE:toit-fleet>
         BUILD=$<TARGET_FILE_DIR:fleet-device> DEMO_PORT=0 DEMO_SECONDS=3 DEMO_INTERVAL=1
         ${CMAKE_SOURCE_DIR}/scripts/demo-fleet)
set_tests_properties(server/demo PROPERTIES LABELS server TIMEOUT 60
                     PASS_REGULAR_EXPRESSION "demo-3 +v0\\.1\\.0 +[0-9]+s ago +[0-9a-f]+ +Healthy.*sensor +info")
# gRPC interoperability: Node's @grpc/grpc-js against the server via proto/.
add_test(NAME server/grpc-interop
         COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/server/grpc_test.py --toit $<TARGET_FILE:toit-fleet>)
set_tests_properties(server/grpc-interop PROPERTIES LABELS server TIMEOUT 180)
