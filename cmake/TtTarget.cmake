# Warnings policy for the project's own code (generated protobuf code is exempt: it is not ours).
function(tt_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(TT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Every program of the project allocates through jemalloc, baselines and clients included, so a
# benchmark's ratio compares like with like. glibc's malloc took a fifth of the node's CPU under
# load (arena locks, consolidation of freed chunks); jemalloc's thread caches avoid both. Nothing
# calls it by name (it replaces malloc), so this relies on Debian's default of linking every
# library named (no --as-needed); the test node.links_jemalloc checks it.
function(tt_program target)
  tt_warnings(${target})
  target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
endfunction()
