# Warnings policy for the project's own code (generated protobuf code is exempt: it is not ours).
function(tt_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(TT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
