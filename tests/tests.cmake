# Test registration (included from the top-level CMakeLists.txt).
# Labels: unit, language, golden, examples, server.
find_program(PYTHON3 python3 REQUIRED)

file(GLOB TOIT_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${TOIT_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE toitcore)
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES LABELS unit)
endforeach()

if(EXISTS ${CMAKE_SOURCE_DIR}/tests/server/tests.cmake AND TOIT_SERVER)
  include(${CMAKE_SOURCE_DIR}/tests/server/tests.cmake)
endif()

# The language suite (tests/language/**/*.toit with expectations inside).
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/run-language)
  add_test(NAME language COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/run-language
           --toit $<TARGET_FILE:toit> -q)
  set_tests_properties(language PROPERTIES LABELS language)
endif()

# The shared example programs, against their `// expect:` lines.
set(TOIT_EXAMPLE_LEVEL 3 CACHE STRING "Highest example level that must pass")
add_test(NAME examples COMMAND ${CMAKE_SOURCE_DIR}/tests/run-examples $<TARGET_FILE:toit>
         ${TOIT_EXAMPLE_LEVEL})
set_tests_properties(examples PROPERTIES LABELS examples)

# Golden files: disassembly and error messages (tests/golden/*.toit + .gold).
add_test(NAME golden COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/run-golden --toit $<TARGET_FILE:toit>)
set_tests_properties(golden PROPERTIES LABELS golden)

# The CLI: usage errors, --help, exit codes, bad images.
add_test(NAME cli COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/run $<TARGET_FILE:toit>)
set_tests_properties(cli PROPERTIES LABELS unit)

if(EXISTS ${CMAKE_SOURCE_DIR}/tests/parse/parse.cmake)
  include(${CMAKE_SOURCE_DIR}/tests/parse/parse.cmake)
endif()

# The dispatch table on a wide hierarchy (200 classes x 50 selectors).
add_test(NAME dispatch-table COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/dispatch/run $<TARGET_FILE:toit>)
set_tests_properties(dispatch-table PROPERTIES LABELS golden)

# Containers: isolation of faulty containers, restarts, messages, watchdog.
add_test(NAME containers COMMAND ${CMAKE_SOURCE_DIR}/tests/containers/run $<TARGET_FILE:toit>)
set_tests_properties(containers PROPERTIES LABELS unit)
