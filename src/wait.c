/* wait.c -- how hsomp threads wait: spin briefly, then sleep on a futex.
 *
 * Owns the futex system calls, the internal mutex's slow path and the spin
 * budget policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT, oversubscription). */
#include "hsomp.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

void hsomp_futex_wait(_Atomic uint32_t *word, uint32_t val) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

void hsomp_futex_wake(_Atomic uint32_t *word, int n) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Note [Sleeping without lost wake-ups]
 * A waiter that gives up spinning announces itself (sleepers += 1, seq_cst)
 * and only then re-reads the word (seq_cst) before FUTEX_WAIT.  A waker
 * stores the new value (seq_cst) and only then reads sleepers (seq_cst).
 * In the single total order of seq_cst operations, either the waiter's
 * re-read sees the new value (it does not sleep), or the waker's read of
 * sleepers sees the announcement (it calls FUTEX_WAKE).  FUTEX_WAIT itself
 * re-checks the value atomically in the kernel, so a wake between the
 * re-read and the system call is not lost either. */
void hsomp_wait_change(_Atomic uint32_t *word, uint32_t old, _Atomic uint32_t *sleepers,
                       unsigned long spins) {
  for (unsigned long i = 0; i < spins; i++) {
    if (atomic_load_explicit(word, memory_order_acquire) != old)
      return;
    hsomp_spin_round(i);
  }
  while (atomic_load_explicit(word, memory_order_acquire) == old) {
    atomic_fetch_add_explicit(sleepers, 1, memory_order_seq_cst);
    if (atomic_load_explicit(word, memory_order_seq_cst) == old)
      hsomp_futex_wait(word, old);
    atomic_fetch_sub_explicit(sleepers, 1, memory_order_relaxed);
  }
}

void hsomp_wake_all(_Atomic uint32_t *word, _Atomic uint32_t *sleepers) {
  if (atomic_load_explicit(sleepers, memory_order_seq_cst) != 0)
    hsomp_futex_wake(word, INT_MAX);
}

/* Note [Yielding while spinning]
 * A spinning thread assumes that the thread it waits for runs on another
 * CPU.  On a loaded machine (other processes, or a team larger than the
 * CPUs) the scheduler may put both on one CPU: then the spinner keeps the
 * other thread off it until the next scheduler tick (4 ms at HZ=250),
 * and each parallel region costs a tick -- we measured 4, 8 and 16 ms per
 * PARALLEL at 2 threads on 2 CPUs with a load average of 10, and the same
 * for libgomp, whose spin loops never yield; LLVM's libomp yields
 * periodically and stayed at ~2 us.  So after HSOMP_SPIN_YIELD_AFTER
 * rounds (~25 us of pause) a spinner calls sched_yield every
 * HSOMP_SPIN_YIELD_EVERY rounds: a no-op (~1 us) when nobody else wants
 * the CPU, a hand-over when the awaited thread does.  Short waits, the
 * common case when every thread has a CPU, never reach the first yield. */
void hsomp_spin_yield(void) { sched_yield(); }

/* Drepper's three-state futex mutex ("Futexes are tricky", mutex 2). */
void hsomp_mutex_lock_slow(hsomp_mutex *m) {
  for (int i = 0; i < 100; i++) {
    if (atomic_load_explicit(m, memory_order_relaxed) == 0 && hsomp_mutex_trylock(m))
      return;
    hsomp_cpu_relax();
  }
  while (atomic_exchange_explicit(m, 2, memory_order_acquire) != 0)
    hsomp_futex_wait(m, 2);
}

/* Note [Spin budget]
 * Spinning makes hand-offs fast when every thread has a CPU of its own, and
 * is pure waste when threads outnumber CPUs: the thread we wait for may be
 * the one we keep off the CPU.  So a team larger than the CPUs we may run
 * on spins only the throttled budget (and yields in between) before it
 * sleeps.  The default budget is deliberately short (tens of microseconds),
 * so an idle program does not burn CPU between regions. */
unsigned long hsomp_spin_budget(unsigned nthreads) {
  if (nthreads > hsomp_settings.ncpus)
    return hsomp_settings.throttled_spin_count;
  return hsomp_settings.spin_count;
}
