# The calls and includes between src/ files form no cycle beyond the ones
# listed in known_cycles.txt (none today): tools/src_graph.py reads the
# runtime's object files with nm.  It fails on a new cycle, and also when
# a listed one is gone, so the list only shrinks.
set -eu
exec python3 "$HSOMP_SOURCE_DIR/tools/src_graph.py" --check \
  "$HSOMP_BUILD_DIR/CMakeFiles/hsomp.dir/src" "$HSOMP_SOURCE_DIR/src" \
  "$HSOMP_SOURCE_DIR/tests/arch/known_cycles.txt"
