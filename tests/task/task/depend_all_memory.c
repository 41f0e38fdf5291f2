/* depend(inout: omp_all_memory), written as an omp_depend_t of kind inout
 * with a NULL address (GCC's encoding, which GCC 12 cannot write in a
 * depend clause and libgomp 12 reads as the address NULL): such a task
 * runs after every earlier sibling with dependences and before every later
 * one; taskwait on it waits for every earlier sibling with dependences.
 * Writers on many addresses between the all-memory tasks run concurrently;
 * each checks the phase the all-memory tasks advance, and each all-memory
 * task checks that all writers before it are done. */
// TEST-HSOMP-ONLY
// TEST-TIMEOUT: 60
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { NA = 64, PHASES = 200, WRITERS = 96 };

static int failures;
static unsigned long a[NA];
static int phase, writers_done, readers_ok;

static void fail(const char *what, long got, long want) {
#pragma omp critical(fail)
  {
    if (failures++ < 10)
      fprintf(stderr, "%s: got %ld, want %ld\n", what, got, want);
  }
}

static void all_memory_obj(omp_depend_t *obj) {
  struct {
    void *addr;
    uintptr_t kind;
  } raw = {NULL, 3 /* GOMP_DEPEND_INOUT */};
  memcpy(obj, &raw, sizeof raw);
}

int main(void) {
  omp_depend_t all;
  all_memory_obj(&all);
  unsigned long sum = 0;
#pragma omp parallel num_threads(3)
#pragma omp single
  for (int p = 0; p < PHASES; p++) {
    for (int w = 0; w < WRITERS; w++) {
      int i = (p * 7 + w) % NA;
#pragma omp task depend(inout: a[i]) firstprivate(p, i)
      {
        int ph;
#pragma omp atomic read
        ph = phase;
        if (ph != p)
          fail("writer saw phase", ph, p);
        a[i] = a[i] * 31 + (unsigned long)p;
#pragma omp atomic
        writers_done++;
      }
    }
    if (p % 5 == 4) {
      /* taskwait on omp_all_memory: every earlier writer is done. */
#pragma omp taskwait depend(depobj: all)
      int done;
#pragma omp atomic read
      done = writers_done;
      if (done != (p + 1) * WRITERS)
        fail("taskwait all memory", done, (p + 1) * WRITERS);
    }
#pragma omp task depend(depobj: all) firstprivate(p) shared(sum)
    {
      int done;
#pragma omp atomic read
      done = writers_done;
      if (done != (p + 1) * WRITERS)
        fail("all-memory task saw writers", done, (p + 1) * WRITERS);
      for (int i = 0; i < NA; i++)
        sum = sum * 3 + a[i];
#pragma omp atomic write
      phase = p + 1;
    }
    if (p % 3 == 0) {
      /* A reader with an unrelated address still orders after it. */
      static char unrelated __attribute__((unused)); /* GCC 12 sees no use in depend() */
#pragma omp task depend(in: unrelated) firstprivate(p)
      {
        int ph;
#pragma omp atomic read
        ph = phase;
        if (ph != p + 1)
          fail("reader saw phase", ph, p + 1);
#pragma omp atomic
        readers_ok++;
      }
    }
  }
  /* The sequential reference. */
  unsigned long ref[NA] = {0}, ref_sum = 0;
  for (int p = 0; p < PHASES; p++) {
    for (int w = 0; w < WRITERS; w++) {
      int i = (p * 7 + w) % NA;
      ref[i] = ref[i] * 31 + (unsigned long)p;
    }
    for (int i = 0; i < NA; i++)
      ref_sum = ref_sum * 3 + ref[i];
  }
  if (sum != ref_sum)
    fail("sum", (long)sum, (long)ref_sum);
  if (readers_ok != (PHASES + 2) / 3)
    fail("readers", readers_ok, (PHASES + 2) / 3);
  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  return 0;
}
