# Writes DIR/MANIFEST: one line "sha256 size name" per shipped library (FILES), which RfsqLibrary's NativeCache uses
# to key its per-user cache by content and to check what it extracts. Run as: cmake -DDIR=... -DFILES=a;b -P manifest.cmake
set(_lines "")
foreach(_name IN LISTS FILES)
  file(SHA256 "${DIR}/${_name}" _sha)
  file(SIZE "${DIR}/${_name}" _size)
  string(APPEND _lines "${_sha} ${_size} ${_name}\n")
endforeach()
file(WRITE "${DIR}/MANIFEST.tmp" "${_lines}")
file(RENAME "${DIR}/MANIFEST.tmp" "${DIR}/MANIFEST")
