/* Regions nested 16 deep with teams of 2 (65536 leaves, more threads than
 * this machine's 32768 process ids if every master kept its workers) get
 * every thread they ask for at every level, twice (the second time with
 * the threads the first left).  hsomp before Note [A crowded process]
 * (team.c) ran short of threads here and took about a minute; GCC's
 * libgomp takes 15-60 s on the 2-CPU development machine, hsomp 2-7 s,
 * so this runs on hsomp only (the speed is measured in bench/crowded). */
// TEST-HSOMP-ONLY
// TEST-TIMEOUT: 90
// TEST-SERIAL
// TEST-NO-SANITIZER
#include <omp.h>
#include <stdio.h>

#include "hsomp_test.h"

static long leaves, short_teams;

static void nest(int depth) {
  if (depth == 0) {
#pragma omp atomic
    leaves++;
    return;
  }
#pragma omp parallel num_threads(2)
  {
    if (omp_get_num_threads() != 2 && omp_get_thread_num() == 0) {
#pragma omp atomic
      short_teams++;
    }
    nest(depth - 1);
  }
}

int main(void) {
  omp_set_dynamic(0);
  omp_set_max_active_levels(16);
  for (int round = 0; round < 2; round++) {
    leaves = short_teams = 0;
    nest(16);
    HT_CHECK(leaves == 1L << 16 && short_teams == 0,
             "round %d: %ld leaves (want 65536), %ld teams short of a thread", round, leaves,
             short_teams);
  }
  puts("ok");
  return 0;
}
