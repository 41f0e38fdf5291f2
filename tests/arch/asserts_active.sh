# HSOMP_ASSERT (Note [Checked invariants] in src/hsomp.h) is compiled in
# exactly in the sanitizer builds: there the runtime's objects call
# hsomp_assert_failed, in the release build none does.
set -eu
objs="$HSOMP_BUILD_DIR/CMakeFiles/hsomp.dir/src"
users=$(nm -A --undefined-only "$objs"/*.o | grep -c ' hsomp_assert_failed$' || true)
if [ -n "${HSOMP_SANITIZE:-}" ]; then
  [ "$users" -ge 5 ] || { echo "sanitizer build ($HSOMP_SANITIZE): only $users objects check invariants"; exit 1; }
else
  [ "$users" -eq 0 ] || { echo "release build: $users objects still check invariants"; exit 1; }
fi
echo "HSOMP_ASSERT is ${HSOMP_SANITIZE:+on}${HSOMP_SANITIZE:-off} in this build ($users objects check invariants)"
