# Drop-in proof, part 3: hsomp's exported entry points carry libgomp's
# symbol versions.  Every symbol libhsomp.so defines outside its own
# HSOMP_0.1 node must be defined by GCC's libgomp.so.1 under the same
# name, the same version and the same default/hidden status (objdump shows
# hidden, non-default versions in parentheses); hsomp's own extensions are
# hsomp_* names in HSOMP_0.1, which libgomp does not have (and OMPT's
# ompt_start_tool, the default a tool overrides).  The only other
# names allowed are those in `extras` below.  Conversely, every host entry
# point of libgomp (all but OpenACC's acc_*/GOACC_* and the offloading
# plugins' GOMP_PLUGIN_*) must be defined by hsomp with the same version.
# TEST-NO-SANITIZER
set -eu
# Names hsomp exports under libgomp's version nodes although libgomp 12
# does not define them: OpenMP 4.5 API that GCC 12's omp.h declares but
# libgomp never implemented (see src/abi/libhsomp.map).
extras='^omp_init_(nest_)?lock_with_hint_?$'
gomp=$("$HSOMP_CC" -print-file-name=libgomp.so.1)
[ -f "$gomp" ] || { echo "GCC's libgomp.so.1 not found ($gomp)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "name version" for every defined dynamic symbol (functions and data).
defined() {
  objdump -T --wide "$1" | awk '
    $2 ~ /^[gw]$/ && $3 ~ /^D[FO]$/ && $4 != "*UND*" && $4 != "*ABS*" { print $7, $6 }' | sort -u
}
defined "$HSOMP_LIB" >"$tmp/hsomp"
defined "$gomp" >"$tmp/gomp"
[ -s "$tmp/hsomp" ] || { echo "no symbols read from $HSOMP_LIB" >&2; exit 1; }
[ -s "$tmp/gomp" ] || { echo "no symbols read from $gomp" >&2; exit 1; }

status=0
grep -v -E ' HSOMP_0\.1$' "$tmp/hsomp" >"$tmp/hsomp.abi" || true
while read -r name version; do
  if ! grep -q -x -F "$name $version" "$tmp/gomp"; then
    others=$(awk -v n="$name" '$1 == n { printf " %s", $2 }' "$tmp/gomp")
    if [ -n "$others" ]; then
      echo "hsomp exports $name@$version, libgomp has $name@{$others }" >&2
    elif echo "$name" | grep -q -E "$extras"; then
      echo "note: $name@$version is an hsomp extra (libgomp 12 lacks it)"
      continue
    else
      echo "hsomp exports $name@$version, which libgomp does not export" >&2
    fi
    status=1
  fi
done <"$tmp/hsomp.abi"

if grep -E ' HSOMP_0\.1$' "$tmp/hsomp" | grep -v -q -E '^(hsomp_|ompt_start_tool )'; then
  echo "non-hsomp_ names in HSOMP_0.1:" >&2
  grep -E ' HSOMP_0\.1$' "$tmp/hsomp" | grep -v -E '^(hsomp_|ompt_start_tool )' >&2
  status=1
fi
grep -q -x -F "hsomp_get_capability HSOMP_0.1" "$tmp/hsomp" ||
  { echo "hsomp_get_capability@HSOMP_0.1 is not exported" >&2; status=1; }
if grep -q -E '^hsomp_| HSOMP_' "$tmp/gomp"; then
  echo "GCC's libgomp exports hsomp names?" >&2
  status=1
fi

# Host entry points of libgomp that hsomp lacks (OpenACC and the
# offloading plugin interface are out of scope): none allowed.
comm -13 "$tmp/hsomp" "$tmp/gomp" | grep -v -E '^(acc_|GOACC_|GOMP_PLUGIN_)' \
  | awk '{ print $1 "@" $2 }' >"$tmp/missing" || true
host=$(grep -c -v -E '^(acc_|GOACC_|GOMP_PLUGIN_)' "$tmp/gomp" || true)
[ "$host" -gt 300 ] || { echo "only $host host symbols read from $gomp" >&2; status=1; }
if [ -s "$tmp/missing" ]; then
  echo "libgomp host entry points hsomp does not define (same version): $(wc -l <"$tmp/missing")" >&2
  tr '\n' ' ' <"$tmp/missing" | fold -s -w 100 >&2
  echo >&2
  status=1
fi
echo "hsomp exports $(wc -l <"$tmp/hsomp.abi") symbols under libgomp's versions;" \
     "libgomp's $host host symbols all defined with the same version: $([ $status -eq 0 ] && echo yes || echo NO)"
exit $status
