/* A proc_bind clause sets the bind-var ICV of the region's implicit tasks
 * (omp_get_proc_bind inside), unless binding is off: OMP_PROC_BIND=false
 * keeps every region at false whatever the clause says. */
// TEST-ENV: OMP_PROC_BIND=true
// TEST-ENV: OMP_PROC_BIND=false
#include "hsomp_test.h"

#include <omp.h>

int main(void) {
  const char *env = getenv("OMP_PROC_BIND");
  HT_CHECK(env, "run with OMP_PROC_BIND set");
  int off = strcmp(env, "false") == 0;
  omp_set_max_active_levels(4);
  HT_CHECK(omp_get_proc_bind() == (off ? omp_proc_bind_false : omp_proc_bind_true), "initial %d",
           omp_get_proc_bind());
  int seen[4] = {-1, -1, -1, -1};
#pragma omp parallel if (0) proc_bind(spread)
  {
    seen[0] = omp_get_proc_bind();
#pragma omp parallel if (0)
    seen[1] = omp_get_proc_bind();
#pragma omp parallel if (0) proc_bind(master)
    seen[2] = omp_get_proc_bind();
  }
#pragma omp parallel num_threads(2) proc_bind(close)
#pragma omp master
  seen[3] = omp_get_proc_bind();
  int want[4] = {omp_proc_bind_spread, omp_proc_bind_spread, omp_proc_bind_master, omp_proc_bind_close};
  for (int i = 0; i < 4; i++)
    HT_CHECK(seen[i] == (off ? omp_proc_bind_false : want[i]), "region %d: bind-var %d", i, seen[i]);
  return 0;
}
