#!/bin/sh
# task_cost.sh BUILD_DIR [THREADS] -- instructions per task (callgrind) of
# the task_cost kernels on libgomp and on BUILD_DIR's hsomp (or the
# libgomp.so.1 in $HSOMP_GOMP_DIR, e.g. another build's gomp/): the difference
# between two sizes of each kernel divided by the tasks it adds, so start-up
# and the region cost cancel.  Deterministic at 1 thread (the default);
# at 2 threads callgrind serialises the threads and spinning adds noise.
set -eu
build=$1
th=${2:-1}
prog=$build/bench/hsomp-task-cost
command -v valgrind >/dev/null || { echo "task_cost.sh: valgrind not found" >&2; exit 2; }
ir() { # LIB KERNEL N
  out=$(mktemp)
  if [ "$1" = libgomp ]; then
    OMP_NUM_THREADS=$th valgrind --tool=callgrind --callgrind-out-file="$out" "$prog" "$2" "$3" >/dev/null 2>&1
  else
    OMP_NUM_THREADS=$th LD_LIBRARY_PATH=${HSOMP_GOMP_DIR:-$build/gomp} valgrind --tool=callgrind --callgrind-out-file="$out" "$prog" "$2" "$3" >/dev/null 2>&1
  fi
  sed -n 's/^summary: *//p' "$out"
  rm -f "$out"
}
# kernel, two sizes, tasks per unit of size and thread (fib: tasks between the sizes)
printf '%-34s %10s %10s\n' "kernel (instructions per task)" libgomp hsomp
while read -r k a b per label; do
  row=""
  for lib in libgomp hsomp; do
    x=$(ir $lib "$k" "$a")
    y=$(ir $lib "$k" "$b")
    row="$row $(awk -v x="$x" -v y="$y" -v a="$a" -v b="$b" -v p="$per" -v t="$th" -v k="$k" \
      'BEGIN { n = (k == "fib") ? p : (b - a) * p * t; printf "%10.0f", (y - x) / n }')"
  done
  printf '%-34s%s\n' "$label" "$row"
done <<'KERNELS'
cond 1000 11000 1 if(0) task
branch 500 1500 63 tree tasks past the bound
branch 0 128 63 BRANCH tree, 128 roots/thread
branch 0 256 63 BRANCH tree, 256 roots/thread
leaf 0 128 62 LEAF tree, 128 trees/thread
nested 1000 3000 2 NESTED_TASK (1 thread: 2 tasks)
fib 14 18 7142 fib(14..18), task+taskwait
KERNELS
