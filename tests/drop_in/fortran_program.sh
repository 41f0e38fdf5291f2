# A gfortran program with !$omp directives (fortran_program.f90: parallel do
# reduction, tasks with final and detach, a host league of teams, target
# teams distribute parallel do, critical), built with gfortran -fopenmp
# against libgomp.so.1 as any Fortran OpenMP program is: it computes the
# right results on GCC's libgomp and, unmodified, through hsomp-run, where
# it finds hsomp's extension symbol (so it really ran on hsomp).
# TEST-TIMEOUT: 120
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fc=$(command -v gfortran) || { echo "gfortran is not installed" >&2; exit 1; }
"$fc" -fopenmp -O2 "$HSOMP_SOURCE_DIR/tests/drop_in/fortran_program.f90" -J "$tmp" \
  -o "$tmp/prog" -ldl
out=$("$tmp/prog" 2>&1) || { echo "on libgomp: $out" >&2; exit 1; }
[ "$out" = "runtime=libgomp ok" ] || { echo "on libgomp: '$out'" >&2; exit 1; }
for threads in 1 2 4; do
  if [ -n "$HSOMP_PRELOAD" ]; then
    out=$("$HSOMP_RUN" --threads $threads env LD_PRELOAD="$HSOMP_PRELOAD" "$tmp/prog" 2>&1) ||
      { echo "on hsomp ($threads threads): $out" >&2; exit 1; }
  else
    out=$("$HSOMP_RUN" --threads $threads "$tmp/prog" 2>&1) ||
      { echo "on hsomp ($threads threads): $out" >&2; exit 1; }
  fi
  [ "$out" = "runtime=hsomp ok" ] || { echo "on hsomp ($threads threads): '$out'" >&2; exit 1; }
done
echo "the gfortran program runs on libgomp and on hsomp"
