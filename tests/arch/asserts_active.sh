# HSOMP_ASSERT (Note [Checked invariants] in src/hsomp.h) is compiled in
# exactly in the sanitizer builds: there the runtime's objects call
# hsomp_assert_failed, in the release build none does.
set -eu
objs="$HSOMP_BUILD_DIR/CMakeFiles/hsomp.dir/src"
# the objects of src/ and its folders (of sources that still exist)
list=$(cd "$HSOMP_SOURCE_DIR/src" && find . -name '*.c' | sed "s|^\./|$objs/|; s|\$|.o|")
# shellcheck disable=SC2086 # one word per object
users=$(nm -A --undefined-only $list | grep -c ' hsomp_assert_failed$' || true)
if [ -n "${HSOMP_SANITIZE:-}" ]; then
  [ "$users" -ge 5 ] || { echo "sanitizer build ($HSOMP_SANITIZE): only $users objects check invariants"; exit 1; }
else
  [ "$users" -eq 0 ] || { echo "release build: $users objects still check invariants"; exit 1; }
fi
echo "HSOMP_ASSERT is ${HSOMP_SANITIZE:+on}${HSOMP_SANITIZE:-off} in this build ($users objects check invariants)"
