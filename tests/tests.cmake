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
