#!/bin/bash
# run-demo.sh BUILD_DIR [THREADS] -- the demonstration (./run demo).
#
# Runs each demonstration kernel (built in BUILD_DIR/demo) twice, the same
# binary each time: on GCC's libgomp, then through hsomp-run on hsomp.
# Shows which OpenMP thread ran on which GHC Capability under hsomp, the
# best time of each runtime, and checks that both computed the same result.
# Exit status: 0 if every kernel ran on both runtimes and the results agree.
set -u
build=${1:?usage: run-demo.sh BUILD_DIR [THREADS]}
threads=${2:-$(nproc)}
build=$(cd "$build" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

kernels="mandelbrot stencil reduction dgemm mpi_hybrid"
summary=()
failed=0
field() { sed -n "s/^$1 //p" "$2" | head -n 1; }

echo "hsomp demonstration: $threads OpenMP threads, $(nproc) CPUs"
echo "Each kernel is one gcc -fopenmp binary, run on libgomp and then as"
echo "  hsomp-run --threads $threads BINARY"
echo
for k in $kernels; do
  bin=$build/demo/demo-$k
  if [ ! -x "$bin" ]; then
    echo "== $k: not built (skipped)"
    summary+=("$(printf '%-11s %8s %10s %10s %8s  %s' "$k" "-" "-" "-" "-" "not built")")
    continue
  fi
  echo "== $k"
  # mpi_hybrid: 2 MPI ranks (mpirun -np 2 [hsomp-run] BINARY), each with
  # $threads OpenMP threads inside the CPU set mpirun binds it to.
  launch=()
  if [ "$k" = mpi_hybrid ]; then
    launch=(mpirun -np 2 --oversubscribe)
    [ "$(id -u)" -ne 0 ] || launch+=(--allow-run-as-root)
    echo "  (mpirun -np 2, each rank with $threads OpenMP threads)"
  fi
  OMP_NUM_THREADS=$threads "${launch[@]}" "$bin" >"$work/$k.libgomp" 2>&1
  rc_gomp=$?
  "${launch[@]}" "$build/hsomp-run" --threads "$threads" "$bin" >"$work/$k.hsomp" 2>&1
  rc_hsomp=$?
  # People's lines: the libgomp run's first line, then all of hsomp's.
  head -n 1 "$work/$k.libgomp" | sed 's/^/  /'
  grep -v -E '^(RESULT|TIME) ' "$work/$k.hsomp" | sed 's/^/  /'
  r_gomp=$(field RESULT "$work/$k.libgomp")
  r_hsomp=$(field RESULT "$work/$k.hsomp")
  t_gomp=$(field TIME "$work/$k.libgomp")
  t_hsomp=$(field TIME "$work/$k.hsomp")
  verdict="results agree"
  if [ $rc_gomp -ne 0 ] || [ -z "$r_gomp" ]; then
    verdict="FAILED on libgomp (exit $rc_gomp)"
    sed 's/^/  libgomp| /' "$work/$k.libgomp" | tail -n 5
  elif [ $rc_hsomp -ne 0 ] || [ -z "$r_hsomp" ]; then
    verdict="FAILED on hsomp (exit $rc_hsomp)"
  elif [ "$r_gomp" != "$r_hsomp" ]; then
    verdict="RESULTS DIFFER"
  fi
  [ "$verdict" = "results agree" ] || failed=1
  echo "  libgomp: ${r_gomp:-none}"
  echo "  hsomp:   ${r_hsomp:-none}"
  echo "  -> $verdict"
  ratio=-
  if [ -n "$t_gomp" ] && [ -n "$t_hsomp" ]; then
    ratio=$(awk -v a="$t_hsomp" -v b="$t_gomp" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  fi
  fmt_t() { [ -n "$1" ] && awk -v t="$1" 'BEGIN { printf "%.3f s", t }' || echo "-"; }
  summary+=("$(printf '%-11s %8s %10s %10s %8s  %s' "$k" "$threads" "$(fmt_t "$t_gomp")" \
    "$(fmt_t "$t_hsomp")" "$ratio" "$verdict")")
  echo
done

echo "Summary (best of 3 repetitions each; times swing on a shared machine):"
printf '%-11s %8s %10s %10s %8s  %s\n' kernel threads libgomp hsomp ratio check
for line in "${summary[@]}"; do echo "$line"; done
if [ $failed -ne 0 ]; then
  echo "demo: some kernels failed or disagreed"
  exit 1
fi
echo "demo: every kernel computed the same result on libgomp and on hsomp"
