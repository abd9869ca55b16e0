# Fails the build when a CPU kernel variant's object file (native/src/cpu_kernels.cpp compiled for one
# instruction set) defines a weak symbol outside its own namespace rfsq::<variant>: the linker keeps one copy of a
# weak symbol for the whole library, so another variant (or the baseline code) could end up calling code built
# for an instruction set the CPU lacks. Arguments: -DOBJECTS=<list of object files> -DNM=<nm>.
foreach(obj IN LISTS OBJECTS)
  get_filename_component(dir "${obj}" DIRECTORY)
  string(REGEX MATCH "rfsq_cpu_([a-z0-9]+)\\.dir" _ "${dir}")
  set(variant "${CMAKE_MATCH_1}")
  execute_process(COMMAND "${NM}" -C --defined-only "${obj}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_variants: ${NM} failed on ${obj}")
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-f]+ [WVuTDBR] (.*)$")
      set(sym "${CMAKE_MATCH_1}")
      if(NOT sym MATCHES "rfsq::${variant}::")
        message(FATAL_ERROR "check_variants: ${obj} (variant ${variant}) defines the global symbol '${sym}' outside "
          "rfsq::${variant}: make it inline __attribute__((always_inline)) (RFSQ_HD) or give it internal linkage")
      endif()
    endif()
  endforeach()
endforeach()
