# Hybrid MPI+OpenMP with Open MPI: `mpirun -np 2 hsomp-run PROGRAM` runs an
# MPI_THREAD_MULTIPLE program whose OpenMP threads (4 per rank) all call
# MPI at once (MPI_Sendrecv with the neighbour rank, one tag per thread,
# 50 rounds, every value checked), then an OpenMP loop and MPI_Allreduce;
# every OpenMP thread must run inside the CPU set mpirun bound its rank to
# (--bind-to core: one CPU each here; --bind-to none), with binding off
# and with OMP_PROC_BIND=true (places from the rank's set).
# The same binary runs on GCC's libgomp first, to keep the test honest.
# TEST-REQUIRES-FILE: /usr/bin/mpicc
# TEST-REQUIRES-FILE: /usr/bin/mpirun
# TEST-NO-SANITIZER
# TEST-TIMEOUT: 180
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
unset OMP_NUM_THREADS OMP_PROC_BIND OMP_PLACES GHCRTS
cat >"$tmp/hybrid.c" <<'EOF2'
#define _GNU_SOURCE
#include <mpi.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
int main(int argc, char **argv) {
  cpu_set_t mask; /* mpirun's binding, before any thread exists */
  sched_getaffinity(0, sizeof mask, &mask);
  int provided, rank, size;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int bad = provided < MPI_THREAD_MULTIPLE, outside = 0, team = 0;
  int to = (rank + 1) % size, from = (rank + size - 1) % size;
#pragma omp parallel num_threads(4) reduction(+ : bad, outside)
  {
    int t = omp_get_thread_num();
#pragma omp single
    team = omp_get_num_threads();
    for (int round = 0; round < 50; round++) {
      long out[64], in[64];
      for (int i = 0; i < 64; i++)
        out[i] = rank * 1000000L + t * 1000L + round + i;
      MPI_Sendrecv(out, 64, MPI_LONG, to, t, in, 64, MPI_LONG, from, t, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE);
      for (int i = 0; i < 64; i++)
        bad += in[i] != from * 1000000L + t * 1000L + round + i;
      outside += !CPU_ISSET(sched_getcpu(), &mask);
    }
  }
  long local = 0, sum = 0;
#pragma omp parallel for num_threads(4) reduction(+ : local)
  for (long i = rank; i < 1000000; i += size)
    local += i;
  MPI_Allreduce(&local, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  bad += sum != 1000000L * 999999L / 2 || team != 4;
  printf("rank %d: cpus %d team %d outside %d errors %d\n", rank, CPU_COUNT(&mask), team, outside,
         bad);
  MPI_Finalize();
  return bad || outside;
}
EOF2
mpicc -fopenmp -O1 -o "$tmp/hybrid" "$tmp/hybrid.c" || { echo "cannot compile" >&2; exit 1; }
root=
[ "$(id -u)" -ne 0 ] || root=--allow-run-as-root

# run LABEL BIND COMMAND...: mpirun -np 2 --bind-to BIND COMMAND
run() {
  label=$1 bind=$2; shift 2
  timeout -k 5 60 mpirun -np 2 --oversubscribe $root --bind-to "$bind" "$@" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
  status=$?
  ranks=$(grep -c '^rank [01]: .* outside 0 errors 0$' "$tmp/out")
  if [ "$status" -ne 0 ] || [ "$ranks" -ne 2 ]; then
    fail "[$label] status $status, $ranks good ranks: $(head -c 600 "$tmp/out") $(head -c 600 "$tmp/err")"
  fi
}
# (--bind-to none with OMP_PROC_BIND=true is left out: there libgomp's
# own threads leave the set the rank started with.)
for bind in core none; do
  for procbind in false true; do
    [ "$bind$procbind" != nonetrue ] || continue
    run "libgomp --bind-to $bind OMP_PROC_BIND=$procbind" "$bind" \
      env OMP_PROC_BIND=$procbind "$tmp/hybrid"
    run "hsomp --bind-to $bind OMP_PROC_BIND=$procbind" "$bind" \
      env OMP_PROC_BIND=$procbind "$HSOMP_RUN" "$tmp/hybrid"
  done
done
[ "$fails" -eq 0 ] && echo ok
[ "$fails" -eq 0 ]
