/* hs_batch.c -- the C loops of the batched safe calls (HsOmp.Batch).
 *
 * Owns: the loops that the Cmm procedures in cmm/prims.cmm run between
 * suspendThread and resumeThread.  Cmm's `foreign "C"` calls only named
 * functions, so the calls through function pointers happen here. */
#include <stdint.h>

typedef void (*hsomp_hs_void_fn)(void *);
typedef intptr_t (*hsomp_hs_word_fn)(void *);

/* fn(args[i]) for i in [0, n). */
void hsomp_hs_batch_map(hsomp_hs_void_fn fn, void *const *args, long n) {
  for (long i = 0; i < n; i++)
    fn(args[i]);
}

/* calls[i].fn(calls[i].arg) for i in [0, n). */
struct hsomp_hs_call_pair {
  hsomp_hs_void_fn fn;
  void *arg;
};
void hsomp_hs_batch_pairs(const struct hsomp_hs_call_pair *calls, long n) {
  for (long i = 0; i < n; i++)
    calls[i].fn(calls[i].arg);
}

/* fn(arg) once. */
intptr_t hsomp_hs_apply(hsomp_hs_word_fn fn, void *arg) { return fn(arg); }
