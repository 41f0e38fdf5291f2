/* mpi_hybrid.c -- demonstration: hybrid MPI+OpenMP, the way programs scale
 * past one machine.  A 1-D heat rod is split between the MPI ranks; each
 * rank relaxes its part with an OpenMP worksharing loop, and at every step
 * two OpenMP threads of the rank exchange the two halo cells with the
 * neighbour ranks at the same time (MPI_THREAD_MULTIPLE: MPI called from
 * several OpenMP threads at once).  Every OpenMP thread checks that it
 * runs inside the CPU set mpirun bound the rank to.
 *   mpirun -np 2 demo-mpi_hybrid                 (libgomp)
 *   mpirun -np 2 hsomp-run demo-mpi_hybrid       (hsomp)
 * RESULT: the rod's checksum (the same on every runtime: each cell is
 * computed from the previous step alone, the sums run in a fixed order),
 * the thread level MPI gave, and whether every thread stayed in its
 * rank's CPU set.  Exit status 1 if either check fails. */
#include "demo.h"

#include <mpi.h>
#include <sched.h>

enum { CELLS = 1 << 20, STEPS = 200, REPS = 3 };

int main(int argc, char **argv) {
  cpu_set_t bound; /* what mpirun gave this rank, before any thread */
  sched_getaffinity(0, sizeof bound, &bound);
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (rank == 0)
    demo_print_runtime("mpi_hybrid");
  int n = CELLS / ranks;
  double *u = malloc((n + 2) * sizeof *u), *v = malloc((n + 2) * sizeof *v);
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
  int right = rank < ranks - 1 ? rank + 1 : MPI_PROC_NULL;
  int strays = 0, nthreads = 1;
  double best = 1e30;
  for (int rep = 0; rep < REPS; rep++) {
    for (int i = 0; i < n + 2; i++)
      u[i] = v[i] = 0;
    if (rank == 0)
      u[0] = v[0] = 100.0; /* the hot end */
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = demo_now();
#pragma omp parallel reduction(+ : strays)
    {
#pragma omp single
      nthreads = omp_get_num_threads();
      strays += !CPU_ISSET(sched_getcpu(), &bound);
      int t = omp_get_thread_num(), last = omp_get_num_threads() - 1;
      for (int s = 0; s < STEPS; s++) {
        double *from = s % 2 ? v : u, *to = s % 2 ? u : v;
        /* halos: the left one from thread 0, the right one from the last
         * thread, concurrently (tags keep the two directions apart) */
        if (t == 0)
          MPI_Sendrecv(&from[1], 1, MPI_DOUBLE, left, 0, &from[0], 1, MPI_DOUBLE, left, 1,
                       MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (t == last)
          MPI_Sendrecv(&from[n], 1, MPI_DOUBLE, right, 1, &from[n + 1], 1, MPI_DOUBLE, right, 0,
                       MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#pragma omp barrier
#pragma omp for schedule(static)
        for (int i = 1; i <= n; i++)
          to[i] = from[i] + 0.25 * (from[i - 1] - 2 * from[i] + from[i + 1]);
        strays += !CPU_ISSET(sched_getcpu(), &bound);
      }
    }
    double t = demo_now() - t0, slowest;
    MPI_Allreduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (slowest < best)
      best = slowest;
  }
  double local = 0, total = 0;
  for (int i = 1; i <= n; i++)
    local += u[i] * (double)(rank * n + i);
  MPI_Reduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  int all_strays = 0;
  MPI_Reduce(&strays, &all_strays, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
  int cpus = CPU_COUNT(&bound);
  printf("  rank %d of %d: %d OpenMP threads, bound to %d CPU%s, threads outside: %d\n", rank,
         ranks, nthreads, cpus, cpus == 1 ? "" : "s", strays);
  fflush(stdout);
  MPI_Barrier(MPI_COMM_WORLD);
  int ok = 1;
  if (rank == 0) {
    ok = provided == MPI_THREAD_MULTIPLE && all_strays == 0;
    printf("RESULT checksum %.10e, MPI_THREAD_MULTIPLE %s, every thread in its rank's CPU set: %s\n",
           total, provided == MPI_THREAD_MULTIPLE ? "yes" : "NO", all_strays ? "NO" : "yes");
    printf("TIME %.6f\n", best);
  }
  free(u);
  free(v);
  MPI_Finalize();
  return ok ? 0 : 1;
}
