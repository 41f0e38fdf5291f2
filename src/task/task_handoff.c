/* task_handoff.c -- tasks handed to waiting threads in big teams.
 *
 * Owns the team's waiting set (threads idle at a barrier or the join that
 * wait for a task handed to them), each member's hand-off word, and the
 * pusher's side: which of its tasks it hands, to whom, and its deque's
 * advert, which thieves read before its indices.  Teams of more than
 * HSOMP_TASK_BIG_TEAM threads only; task_sched.c calls in from its push
 * and its look for work. */
#include "task_internal.h"

/* Note [Offering tasks to waiting threads]
 * In a team of more than HSOMP_TASK_BIG_TEAM (8) threads that fits its
 * CPUs, an idle thread that looked for a task in vain and may run any
 * task (a barrier, the join: no constraint) puts itself in the team's
 * waiting set -- a bit in one of the words `waiting_bits' of members 0,
 * 1, ..., one word for each block of HSOMP_WAITING_PER_WORD team mates --
 * and opens its `handoff' word.  A thread that pushes a task while its deque holds more than it
 * keeps takes the oldest task (the biggest piece of work) off its own
 * deque's top and hands it to a waiting thread, in its own block first,
 * then in the others from a random one (so that the threads that hand do
 * not all race for one word): it claims the thread's bit (fetch_and) and
 * then moves the thread's `handoff' from open to the task (CAS), which
 * fails only if the thread stopped waiting meanwhile; the task then goes
 * to the next waiting thread, or back on the deque.  The waiting thread
 * finds the task at its next look, in a word of its own: idle threads no
 * longer re-read the indices of a deque that a producer keeps changing
 * (with every idle thread polling one producer, each of its pushes and
 * steals cost a transfer per poller).  A thread keeps its newest task
 * (depth-first, as before), and a task's first child goes at once when a
 * thread waits, so a task that makes two children and waits for them
 * hands one away and runs the other: each piece of work moves once.  The
 * children of an implicit task (a loop making tasks, a few tasks and a
 * taskwait) are handed only when there are more than two: a thread that
 * made two and waits for them runs them itself more cheaply than it
 * waits for another thread to run one.  On crowded CPUs (more threads in
 * teams than CPUs, Note [Crowded CPUs]) nobody waits so: a thread that
 * has no CPU would hold a handed task until it gets one, where a task
 * left in a deque goes to whichever thread runs first.
 *
 * A deque's `advert' tells thieves whether to read its indices: the owner
 * sets it when a push leaves it as many more than it keeps as it would
 * hand (Note [Handing tasks in pairs]), or a task while no thread
 * waited (except the one child an explicit task keeps, which it runs
 * next), and clears it otherwise, and when it finds the deque
 * empty; only the owner writes it, only when it changes.  Thieves in
 * these teams read a victim's indices only while its advert is set, and
 * at one look in HSOMP_UNADVERTISED_EVERY (task_sched.c) whatever it says: a task kept
 * by a thread that then computes for long, while others wait, is still
 * stolen.
 *
 * Why no task is lost or left waiting: a handed task is the receiver's
 * (the CAS succeeded only while its word was open, and only the receiver
 * moves it away from open: to closed, by CAS, when it stops waiting);
 * the receiver looks at its word first at every look for work, and stops
 * waiting -- taking a task handed meanwhile and scheduling it like a new
 * one -- before it runs any other task, at the end of every task wait
 * (hsomp_task_stop_waiting, task.c) and before it goes to sleep
 * (waiter_may_sleep), so a handed task is never held by a thread that
 * sleeps or has left the wait, and no wake-up is needed for it.  A waiting
 * bit is only a hint: a stale one costs a failed claim.  So a thread
 * that stops waiting only closes its own word and leaves its bit set (the
 * next claim clears it): clearing it was an RMW on a word shared by its
 * block at every end of a wait, and often nobody claims it before the
 * thread waits again (its next join's fetch_or then finds it set).  A task not
 * advertised stays in its owner's deque, which the owner looks at at
 * every look for work, and is found by the thieves' occasional look; a
 * thread about to sleep still reads every deque's indices
 * (hsomp_task_any_queued), not the adverts. */
#define HSOMP_WAITING_PER_WORD 8 /* a block of near team mates (Note [Stealing near first]) */

/* Note [Handing tasks in pairs]
 * The children of an implicit task (a producer in `single' or `master',
 * a loop that makes tasks) are handed two at a time: the producer waits
 * until it holds two more than it keeps and hands its two oldest as one
 * chain (`handed_next', in the line of the record the receiver reads
 * anyway, written by the producer while the tasks are its own again).
 * The receiver runs the first and queues the second on its own deque,
 * where it takes it next (or a thief does).  A hand-off costs the claim,
 * the receiver's word and its joining and leaving the waiting set, about
 * seven line transfers: in pairs, half of that per task, and the two
 * completions of siblings one after the other on one thread are counted
 * in one release (Note [Completions counted in batches], task.c).  A
 * producer makes many children, so a waiting thread gets its pair one
 * task later than it would have got one; a task's children (a tree's
 * two) still go one at a time, the first at once. */
#define HSOMP_HAND_PAIR_KEEP 2 /* `keep' of an implicit task's children: they go in pairs */
static inline _Atomic uint64_t *waiting_word(struct hsomp_tasking *tk, unsigned i) {
  return &tk->member[i / HSOMP_WAITING_PER_WORD].waiting_bits;
}

void hsomp_task_start_waiting(struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  atomic_store_explicit(&mine->handoff, HSOMP_HAND_OPEN, memory_order_relaxed);
  /* seq_cst (release): a thread that claims the bit sees the word open */
  atomic_fetch_or_explicit(waiting_word(tk, me), 1ull << (me % HSOMP_WAITING_PER_WORD),
                           memory_order_seq_cst);
  mine->waiting = true;
}

struct hsomp_task *hsomp_task_withdraw(struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  mine->waiting = false;
  uintptr_t h = HSOMP_HAND_OPEN;
  if (atomic_compare_exchange_strong_explicit(&mine->handoff, &h, HSOMP_HAND_CLOSED,
                                              memory_order_acquire, memory_order_acquire))
    return NULL; /* its bit stays: a hint, which the next claim clears */
  HSOMP_ASSERT(h > HSOMP_HAND_OPEN);
  return (struct hsomp_task *)h; /* stays in the word, which is closed unless open */
}

/* Hand t to a waiting member whose bit is in word w; false if none took it. */
static bool hand_in_word(struct hsomp_tasking *tk, unsigned w, struct hsomp_task *t) {
  _Atomic uint64_t *word = &tk->member[w].waiting_bits;
  uint64_t bits = atomic_load_explicit(word, memory_order_relaxed);
  while (bits) {
    unsigned b = (unsigned)__builtin_ctzll(bits);
    uint64_t bit = 1ull << b;
    uint64_t old = atomic_fetch_and_explicit(word, ~bit, memory_order_acq_rel);
    uintptr_t open = HSOMP_HAND_OPEN;
    if ((old & bit) &&
        atomic_compare_exchange_strong_explicit(&tk->member[w * HSOMP_WAITING_PER_WORD + b].handoff,
                                                &open, (uintptr_t)t, memory_order_acq_rel,
                                                memory_order_relaxed))
      return true;
    bits = old & ~bit;
  }
  return false;
}

/* The next waiting word a thread that hands looks at: its own block's
 * first (k = 0), then every other one from a random start, so that the
 * handers do not all race for one block. */
static unsigned word_to_look(struct hsomp_tasking *tk, unsigned me, unsigned words, unsigned k,
                             unsigned prev) {
  unsigned own = me / HSOMP_WAITING_PER_WORD;
  if (k == 0)
    return own;
  unsigned w;
  if (k == 1) {
    struct hsomp_task_member *mine = &tk->member[me];
    uint32_t r = mine->rng;
    r ^= r << 13;
    r ^= r >> 17;
    r ^= r << 5;
    mine->rng = r;
    w = r % words;
  } else {
    w = prev + 1 == words ? 0 : prev + 1;
  }
  return w == own ? (w + 1 == words ? 0 : w + 1) : w;
}

/* After the owner pushed t onto its deque in a big team: hand its oldest
 * task to a waiting thread when it has one to spare (more than it keeps:
 * one, two for an implicit task's children; or the first child of a
 * task), and keep the advert right; true if a task was handed (Note
 * [Offering tasks to waiting threads]). */
bool hsomp_task_offer_oldest(struct hsomp_tasking *tk, unsigned me, unsigned n, int64_t keep,
                             bool first_child, const struct hsomp_deque_ops *ops) {
  struct hsomp_deque *dq = &tk->member[me].dq;
  int64_t size = hsomp_deque_size(dq);
  /* Note [Handing tasks in pairs] */
  int64_t batch = keep >= HSOMP_HAND_PAIR_KEEP ? 2 : 1;
  bool spare = size >= keep + batch || (first_child && size == 1);
  unsigned words = (n + HSOMP_WAITING_PER_WORD - 1) / HSOMP_WAITING_PER_WORD, w = 0, k;
  bool waiting = false, handed = false;
  /* A task's child that it keeps (it runs it next, at its taskwait) is
   * not advertised: no look for a waiting thread just for the advert. */
  bool look = spare || keep != 1;
  for (k = 0; k < (spare ? words : look ? 1 : 0) && !waiting; k++) {
    w = word_to_look(tk, me, words, k, w);
    waiting = atomic_load_explicit(&tk->member[w].waiting_bits, memory_order_relaxed) != 0;
  }
  if (spare && waiting) {
    struct hsomp_task *old = ops->take_oldest(dq);
    if (old) {
      /* Ours again: its line 0 is this thread's to write until handed. */
      struct hsomp_task *second = batch > 1 ? ops->take_oldest(dq) : NULL;
      old->handed_next = second;
      if (second)
        second->handed_next = NULL;
      for (k--; k < words && !handed; k++) {
        handed = hand_in_word(tk, w, old);
        w = word_to_look(tk, me, words, k + 1, w);
      }
      if (!handed) { /* they all stopped waiting meanwhile */
        ops->push(dq, old);
        if (second)
          ops->push(dq, second);
      }
    }
  }
  uint32_t want = hsomp_deque_size(dq) >= keep + batch || (look && !handed && !waiting);
  if (atomic_load_explicit(&dq->advert, memory_order_relaxed) != want)
    atomic_store_explicit(&dq->advert, want, memory_order_relaxed);
  return handed;
}

struct hsomp_task *hsomp_task_handed(struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  uintptr_t h = atomic_load_explicit(&mine->handoff, memory_order_acquire);
  if (h <= HSOMP_HAND_OPEN)
    return NULL;
  mine->waiting = false; /* not open: closed (the task stays in the word) */
  return (struct hsomp_task *)h; /* with h->handed_next, Note [Handing tasks in pairs] */
}
