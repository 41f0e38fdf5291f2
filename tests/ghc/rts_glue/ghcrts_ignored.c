/* GHCRTS is for Haskell programs: a C program run with GHCRTS set (to an
 * option the RTS rejects, one it prints help for, or a valid one) runs its
 * regions like with libgomp, and prints nothing about the RTS.  Before the
 * fix hsomp's RTS read GHCRTS: -xc printed 109 lines of RTS usage and
 * exited 1 at the first region.  (Valid values applying silently is
 * checked in rts_options.sh, which can read the RTS's flags.) */
// TEST-ENV: GHCRTS=-xc
// TEST-ENV: GHCRTS=--nonsense
// TEST-ENV: GHCRTS=-?
#include <omp.h>
#include <stdio.h>

int main(void) {
  int team = 0;
#pragma omp parallel num_threads(4)
  {
#pragma omp atomic
    team++;
  }
  long sum = 0;
#pragma omp parallel for num_threads(3) reduction(+ : sum)
  for (int i = 1; i <= 1000; i++)
    sum += i;
  if (team != 4 || sum != 500500) {
    fprintf(stderr, "FAIL: team of %d (want 4), sum %ld\n", team, sum);
    return 1;
  }
  puts("ok");
  return 0;
}
