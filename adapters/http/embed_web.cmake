# Run as `cmake -P embed_web.cmake` with DIR (the web folder), FILES (its files, ;-separated,
# relative) and OUT: writes OUT, a C++ file defining web_assets() with every file's bytes, so the
# node serves its storefront without a path to find at run time.
set(body "")
foreach(name IN LISTS FILES)
  file(READ "${DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  string(APPEND body "      {\"/${name}\", std::string_view{\"${escaped}\", ${size}}},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from adapters/http/web by embed_web.cmake: do not edit.
#include \"adapters/http/web_assets.hpp\"

namespace tt::adapters::http {

const std::vector<web_asset>& web_assets() {
  static const std::vector<web_asset> all{
${body}  };
  return all;
}

} // namespace tt::adapters::http
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
