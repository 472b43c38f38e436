# libFuzzer targets (clang only): the compiler (source text) and the image
# loader (bytes). Seed corpora live in tests/fuzz/corpus/<target>/. The whole
# build is instrumented (see TOIT_FUZZ in CMakeLists.txt).
foreach(target compile image)
  add_executable(fuzz_${target} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_${target}.c)
  target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_${target} PRIVATE toitcore)
endforeach()
