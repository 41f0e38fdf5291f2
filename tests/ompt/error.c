/* OMPT: the error directive at execution time.  `error severity(warning)'
 * reports one error event per encountering thread, with severity
 * ompt_warning, the message and its length, and the call site in the
 * program, before the runtime prints the message. */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>

static volatile int sink;

int main(void) {
  int m = mark();
#pragma omp parallel num_threads(3)
  {
#pragma omp error at(execution) severity(warning) message("hsomp-ompt")
    sink++; /* (so that GOMP_warning is not the region's tail call) */
  }
  EXPECT(count_from(m, EV_ERROR, ANY, ompt_warning) == 3, "3 warnings, got %d",
         count_from(m, EV_ERROR, ANY, ANY));
  uint64_t head = 0;
  memcpy(&head, "hsomp-ompt", 8);
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_ERROR) {
      EXPECT(events[i].data2 == strlen("hsomp-ompt"), "message length %llu",
             (unsigned long long)events[i].data2);
      EXPECT(events[i].arg == head, "the message's text");
      EXPECT(in_main(events[i].codeptr), "error codeptr_ra in the program");
    }
  return finish("ompt.error", 0);
}
