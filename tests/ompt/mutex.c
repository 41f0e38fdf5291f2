/* OMPT: mutual exclusion.  Locks and nest locks (init/destroy, set, test,
 * unset, nesting), critical sections (unnamed and named), atomic updates
 * GCC does with GOMP_atomic_start (long double), each with exact counts of
 * mutex_acquire, mutex_acquired, mutex_released and nest_lock begin/end,
 * the lock's address as wait id, and the call site in the program. */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>

#define T 4
#define ROUNDS 50

static int count_id(int m, int kind, int sub, const void *id) {
  int n = 0;
  for (int i = m; i < nevents; i++)
    if (events[i].kind == kind && (sub == ANY || events[i].sub == sub) &&
        events[i].arg == (uint64_t)(uintptr_t)id)
      n++;
  return n;
}

int main(void) {
  omp_lock_t lock;
  omp_nest_lock_t nest;
  int m = mark();
  omp_init_lock(&lock);
  omp_init_nest_lock(&nest);
  EXPECT(count_id(m, EV_LOCK_INIT, ompt_mutex_lock, &lock) == 1, "lock_init");
  EXPECT(count_id(m, EV_LOCK_INIT, ompt_mutex_nest_lock, &nest) == 1, "nest lock_init");
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_LOCK_INIT)
      EXPECT(in_main(events[i].codeptr), "lock_init codeptr_ra in the program");

  m = mark();
  long counter = 0;
  int tested = 0;
#pragma omp parallel num_threads(T) reduction(+ : tested)
  for (int r = 0; r < ROUNDS; r++) {
    omp_set_lock(&lock);
    counter++;
    omp_unset_lock(&lock);
    if (omp_test_lock(&lock)) {
      tested++;
      omp_unset_lock(&lock);
    }
  }
  EXPECT(counter == T * ROUNDS, "counter");
  EXPECT(count_id(m, EV_MUTEX_ACQUIRE, ompt_mutex_lock, &lock) == T * ROUNDS, "set: acquire");
  EXPECT(count_id(m, EV_MUTEX_ACQUIRED, ompt_mutex_lock, &lock) == T * ROUNDS, "set: acquired");
  EXPECT(count_id(m, EV_MUTEX_ACQUIRE, ompt_mutex_test_lock, &lock) == T * ROUNDS, "test: tries");
  EXPECT(count_id(m, EV_MUTEX_ACQUIRED, ompt_mutex_test_lock, &lock) == tested,
         "test: %d acquired", tested);
  /* Both kinds are released through omp_unset_lock. */
  EXPECT(count_id(m, EV_MUTEX_RELEASED, ANY, &lock) == T * ROUNDS + tested, "released");

  m = mark();
#pragma omp parallel num_threads(T)
  for (int r = 0; r < ROUNDS; r++) {
    omp_set_nest_lock(&nest);
    omp_set_nest_lock(&nest);
    int depth = omp_test_nest_lock(&nest);
    if (depth != 3)
      abort();
    omp_unset_nest_lock(&nest);
    omp_unset_nest_lock(&nest);
    omp_unset_nest_lock(&nest);
  }
  EXPECT(count_id(m, EV_MUTEX_ACQUIRE, ompt_mutex_nest_lock, &nest) == 2 * T * ROUNDS,
         "nest set: acquire");
  EXPECT(count_id(m, EV_MUTEX_ACQUIRED, ompt_mutex_nest_lock, &nest) == T * ROUNDS,
         "nest: acquired once per outermost set");
  EXPECT(count_id(m, EV_MUTEX_ACQUIRE, ompt_mutex_test_nest_lock, &nest) == T * ROUNDS,
         "nest test: acquire");
  EXPECT(count_from(m, EV_NEST_LOCK, ompt_scope_begin, ANY) == 2 * T * ROUNDS, "nest_lock begins");
  EXPECT(count_from(m, EV_NEST_LOCK, ompt_scope_end, ANY) == 2 * T * ROUNDS, "nest_lock ends");
  EXPECT(count_id(m, EV_MUTEX_RELEASED, ompt_mutex_nest_lock, &nest) == T * ROUNDS,
         "nest released");

  m = mark();
  omp_destroy_lock(&lock);
  omp_destroy_nest_lock(&nest);
  EXPECT(count_id(m, EV_LOCK_DESTROY, ompt_mutex_lock, &lock) == 1, "lock_destroy");
  EXPECT(count_id(m, EV_LOCK_DESTROY, ompt_mutex_nest_lock, &nest) == 1, "nest lock_destroy");

  m = mark();
  long a = 0, b = 0;
  long double x = 0;
#pragma omp parallel num_threads(T)
  for (int r = 0; r < ROUNDS; r++) {
#pragma omp critical
    a++;
#pragma omp critical(other)
    b++;
#pragma omp atomic
    x += 1.0L;
  }
  EXPECT(a == T * ROUNDS && b == T * ROUNDS && x == T * ROUNDS, "results");
  EXPECT(count_from(m, EV_MUTEX_ACQUIRE, ANY, ompt_mutex_critical) == 2 * T * ROUNDS,
         "critical acquire");
  EXPECT(count_from(m, EV_MUTEX_ACQUIRED, ANY, ompt_mutex_critical) == 2 * T * ROUNDS,
         "critical acquired");
  EXPECT(count_from(m, EV_MUTEX_RELEASED, ANY, ompt_mutex_critical) == 2 * T * ROUNDS,
         "critical released");
  EXPECT(count_from(m, EV_MUTEX_ACQUIRE, ANY, ompt_mutex_atomic) == T * ROUNDS, "atomic acquire");
  EXPECT(count_from(m, EV_MUTEX_RELEASED, ANY, ompt_mutex_atomic) == T * ROUNDS,
         "atomic released");
  /* The two critical sections have different wait ids. */
  uint64_t ids[2] = {0, 0};
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_MUTEX_ACQUIRED && events[i].sub == ompt_mutex_critical) {
      if (!ids[0])
        ids[0] = events[i].arg;
      else if (events[i].arg != ids[0])
        ids[1] = events[i].arg;
      EXPECT(in_main(events[i].codeptr), "critical codeptr_ra in the program");
    }
  EXPECT(ids[0] && ids[1], "two distinct critical wait ids");
  return finish("ompt.mutex", 0);
}
