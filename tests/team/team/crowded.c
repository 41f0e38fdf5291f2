/* Far more threads than CPUs, in one team or through nesting, run at
 * libgomp's pace and get every thread they ask for: 10 regions of 5000
 * threads, then regions nested 13 deep with teams of 2 (8192 threads at
 * the leaves).  Before Note [A crowded process] (team.c) hsomp spun and
 * yielded in every wait as if each team had CPUs of its own: 3 regions
 * of 5000 threads took 9 s (libgomp 0.9 s), 13-deep nesting 42 s (libgomp
 * 1.4 s), and 16-deep nesting ran out of threads (every master kept the
 * workers it had ever hired).  The timeout is what fails the old code
 * here (about 50 s on this 2-CPU machine; libgomp and hsomp now take
 * 2-4 s); the speed itself is measured in bench/ (crowded). */
// TEST-TIMEOUT: 30
// TEST-SERIAL
// TEST-NO-SANITIZER
#include <omp.h>
#include <stdio.h>

static long leaves;

static void nest(int depth) {
  if (depth == 0) {
#pragma omp atomic
    leaves++;
    return;
  }
#pragma omp parallel num_threads(2)
  nest(depth - 1);
}

int main(void) {
  long members = 0;
  for (int r = 0; r < 10; r++) {
#pragma omp parallel num_threads(5000) reduction(+ : members)
    members++;
  }
  omp_set_max_active_levels(13);
  nest(13);
  if (members != 10 * 5000L || leaves != 1L << 13) {
    fprintf(stderr, "FAIL: %ld team members (want 50000), %ld leaves (want 8192)\n", members,
            leaves);
    return 1;
  }
  puts("ok");
  return 0;
}
