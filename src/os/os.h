/* os.h -- the operating system and the processor, as the runtime sees them.
 *
 * Owns the few calls that tie hsomp to Linux on x86-64 (libgomp keeps the
 * same under config/linux and config/x86): the futex, the CPU a thread
 * runs on and may run on, moving a thread, yielding, the spin-wait pause
 * and the time-stamp counter.  Defined in os_linux.c; nothing else in
 * src/ makes these system calls or uses these intrinsics. */
#ifndef HSOMP_OS_H
#define HSOMP_OS_H

#include <sched.h> /* cpu_set_t */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HSOMP_OS_INTERNAL __attribute__((visibility("hidden")))

/* Sleep while *word == val (FUTEX_WAIT: the kernel re-checks the value
 * atomically); may return spuriously. */
void hsomp_futex_wait(_Atomic uint32_t *word, uint32_t val) HSOMP_OS_INTERNAL;
/* Wake up to n threads asleep on word. */
void hsomp_futex_wake(_Atomic uint32_t *word, int n) HSOMP_OS_INTERNAL;

/* One round of a busy wait, hsomp_cpu_relax, tells the core a spin loop
 * runs; hsomp_ticks reads the time-stamp counter: ticks of a
 * constant-rate clock, for ratios and rough intervals only.  The
 * coherence simulator build (README "Scale", tools/scale/) routes both
 * through its virtual clock (and the system calls of os_linux.c through
 * ld --wrap). */
#ifdef HSOMP_SCALE_SIM
void hsomp_sim_pause(void);
uint64_t hsomp_sim_ticks(void);
static inline void hsomp_cpu_relax(void) { hsomp_sim_pause(); }
static inline uint64_t hsomp_ticks(void) { return hsomp_sim_ticks(); }
/* Count an event of the runtime (a string literal names it): free in the
 * model's time, printed per repetition with HSOMP_SCALE_EVENTS=1. */
void hsomp_sim_event(const char *what);
#define HSOMP_SIM_EVENT(what) hsomp_sim_event(what)
void hsomp_sim_prefetch_write(const void *p);
static inline void hsomp_prefetch_for_write(const void *p) { hsomp_sim_prefetch_write(p); }
#else
#define HSOMP_SIM_EVENT(what) ((void)0)
static inline void hsomp_cpu_relax(void) { __builtin_ia32_pause(); }
static inline uint64_t hsomp_ticks(void) { return __builtin_ia32_rdtsc(); }
/* Ask for p's line exclusively, as a store would (PREFETCHW; x86-64
 * processors without it, Intel's before Broadwell, run it as a NOP): for
 * a line that the thread reads and then writes while another core holds
 * it, one transfer instead of a read miss and then an upgrade.  A hint:
 * it changes nothing, and the coherence simulator counts it as the
 * taking of the line that it is. */
static inline void hsomp_prefetch_for_write(const void *p) {
  __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
}
#endif

/* The CPU the calling thread runs on now; -1 if unknown. */
int hsomp_os_cpu(void) HSOMP_OS_INTERNAL;
/* Give the CPU to another runnable thread, if any. */
void hsomp_os_yield(void) HSOMP_OS_INTERNAL;
/* The CPUs the calling thread may run on, into a set of `size` bytes;
 * false if the system does not say. */
bool hsomp_os_allowed_cpus(size_t size, cpu_set_t *set) HSOMP_OS_INTERNAL;
/* Bind the calling thread to the CPUs of `set` (`size` bytes); 0 or an
 * errno value. */
int hsomp_os_bind(size_t size, const cpu_set_t *set) HSOMP_OS_INTERNAL;
/* Ask the kernel to move the calling thread off CPU `here`, to the
 * `skip`+1-th other CPU it may run on (counting on from `here`), without
 * binding it there: a hint, see Note [Keeping threads spread] in spin.c. */
void hsomp_os_move_off_cpu(int here, unsigned skip) HSOMP_OS_INTERNAL;

#endif
