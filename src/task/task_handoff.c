/* task_handoff.c -- tasks handed to waiting threads in big teams.
 *
 * Owns the team's waiting set (threads idle at a barrier or the join that
 * wait for a task handed to them), each member's hand-off word, and the
 * pusher's side: which of its tasks it hands, to whom, and its deque's
 * advert, which thieves read before its indices.  Teams of more than
 * HSOMP_TASK_BIG_TEAM threads only; task_sched.c calls in from its push
 * and its look for work. */
#include "task_internal.h"
#include "ompt_internal.h"

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
 * not all race for one word; a task's child that goes by a claim: the
 * others first, Note [Claims in place]): it finds a set bit whose thread's `handoff'
 * is open and moves that word from open to the task (CAS), which fails
 * only if the thread stopped waiting or another took it meanwhile; the
 * task then goes to the next waiting thread, or back on the deque (Note
 * [Sticky waiting bits]: the bit stays).  The waiting thread
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
 * waited (except the tasks it keeps, which it runs next: Note [Kept tasks
 * are not advertised]), and clears it otherwise, and when it finds the
 * deque empty; only the owner writes it, only when it changes.  Thieves in
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
 * bit is only a hint: a stale one costs a read of a word that is not open.
 * So a thread that stops waiting only closes its own word and leaves its
 * bit set (Note [Sticky waiting bits]).  A task not
 * advertised stays in its owner's deque, which the owner looks at at
 * every look for work, and is found by the thieves' occasional look; a
 * thread about to sleep still reads every deque's indices
 * (hsomp_task_any_queued), not the adverts. */
#define HSOMP_WAITING_PER_WORD 8 /* a block of near team mates (Note [Stealing near first]) */

/* Note [Kept tasks are not advertised]
 * A thread keeps its newest tasks after a push: the child of an explicit
 * task that it runs next at its taskwait, and two children of an implicit
 * task (HSOMP_HAND_PAIR_KEEP).  The explicit task's child was never
 * advertised; the implicit task's two were, whenever no thread of the
 * owner's block waited, and the owner's take cleared the advert again
 * when it found its deque empty.  In a team whose members each make a few
 * tasks and wait for them (TASK_SPAWN_WAIT in the coherence model, README
 * "Scale": every member makes two and waits) nobody waits at a barrier,
 * so every member set and cleared its advert at every round, and every
 * idle try at that victim read the line again -- thieves read a victim's
 * advert at each try, so an advert must change rarely: at 64 threads 33 of
 * the construct's 105 transfers a round, and 14 more for the owner's look
 * at its block's waiting word, made only to decide the advert.  Now an
 * implicit task's kept tasks are not advertised either (`hide_kept'), and
 * deciding that reads no waiting word: they are in the state that a thread
 * waiting at the push already left them in, found by the owner at its next
 * look for work, by thieves at their one look in HSOMP_UNADVERTISED_EVERY
 * at unadvertised deques (Note [Idle thieves back off], task_sched.c), and
 * counted by a thread about to sleep, which reads every deque's indices
 * (hsomp_task_any_queued), not the adverts.  Tasks beyond those kept are
 * advertised as before when they were offered to nobody.
 * Two cases keep the old rule (the caller's `hide_kept' is false): a team
 * on crowded CPUs (more threads in teams than CPUs, by the team's count at
 * its start), where nobody waits for hand-offs and an owner may lose its
 * CPU for a time slice with tasks queued; and a push while a member sleeps
 * on the team's event word: the push wakes it (hsomp_task_wake_one) when
 * it hands nothing, and a woken thread -- one of few awake -- should find
 * the task by its advert at once, not at a one-in-128 look.
 * No wake-up is lost: the adverts are hints that no sleeping decision
 * reads, a push that hands nothing still wakes a sleeper as before, a
 * thread that may run any task does not sleep while any deque holds one
 * (its last look before sleeping reads every deque's indices, Note
 * [Waiting for tasks] in task.c), and the owner, which can always run
 * what it queued, runs what nobody takes (test task.kept_tasks_big_team). */

/* Note [Handing tasks in pairs]
 * The children of an implicit task (a producer in `single' or `master',
 * a loop that makes tasks) are handed two at a time, or more (Note
 * [Batches that grow]): the producer waits until it holds a batch more
 * than it keeps and hands its oldest as one chain (`handed_next', in the
 * line of the record the receiver reads anyway, written by the producer
 * while the tasks are its own again).
 * The receiver runs the first and queues the rest on its own deque,
 * where it takes them next (or a thief does).  A hand-off costs the look,
 * the receiver's word and its joining and leaving the waiting set, about
 * four line transfers (Note [Sticky waiting bits]; seven with the old
 * claims): in pairs, half of that per task, and the two
 * completions of siblings one after the other on one thread are counted
 * in one release (Note [Completions counted in batches], task.c).  A
 * producer makes many children, so a waiting thread gets its pair one
 * task later than it would have got one; a task's children (a tree's
 * two) still go one at a time, the first at once.  A batch of common
 * tasks goes as a description of them instead of the chain (Note [Tasks
 * described in the hand-off]). */
/* HSOMP_HAND_PAIR_KEEP (task_internal.h): an implicit task's children's `keep' */
/* Note [Sticky waiting bits]
 * A member's bit in its block's waiting word used to be cleared by every
 * claim (fetch_and) and set again at the member's next wait (fetch_or):
 * two RMWs on a line shared by a block of 8 threads and every thread that
 * hands, per task handed (in the coherence model, 3 of TASK steal's 16
 * transfers per thread and round).  Now a member sets its bit only when
 * it starts waiting and the bit is not in the word (`in_set', its own
 * field), and clears it itself only before it sleeps; and the children
 * of an implicit task (a producer's pairs, short work) are handed without
 * touching the bits: the thread that hands reads the hand-off words of
 * the set bits and moves an open one to the task (CAS).  A member that
 * ran its pair and waits again only reopens its own word; in a team that
 * keeps handing short tasks the waiting words stop changing, and the
 * words of members busy with what they were handed stay in the hander's
 * cache until they reopen.  A task's child (a subtree: long work) still
 * claims the bit (fetch_and) before the CAS, so that handers do not keep
 * reading the word of a member that is busy for long, and writes its
 * word with HSOMP_HAND_UNSET: the handed pointer, or a word that was not
 * open, carries the flag, so the member knows its bit is gone and sets
 * it again when it next waits (hsomp_task_start_waiting exchanges its
 * word for open and reads the flag).  A set bit thus means "may be
 * waiting": the member may be running what it was handed, or have ended
 * its wait (its word closed) without sleeping.  A thread that hands reads
 * at most HSOMP_HAND_LOOKS words per push, so a team whose members all run
 * long tasks costs a producer a bounded look per task, and a task offered
 * to nobody is advertised for thieves as before; a look for the advert
 * alone reads the bits only, as before, and a stale bit (a member out of
 * its wait, or on crowded CPUs, where nobody starts waiting) then keeps an
 * owner's few kept tasks unadvertised until a thief's one look in
 * HSOMP_UNADVERTISED_EVERY, as a real waiter did before.  The bits only
 * say where to look: a task goes only by the CAS on an open word, so why
 * no task is lost or left waiting is unchanged (Note [Offering tasks to
 * waiting threads]). */
#define HSOMP_HAND_LOOKS 32
static inline _Atomic uint64_t *waiting_word(struct hsomp_tasking *tk, unsigned i) {
  return &tk->member[i / HSOMP_WAITING_PER_WORD].waiting_bits;
}

/* A task handed with this flag, or a word that is not open carrying it:
 * its member's bit was taken out of the waiting set by the thread that
 * wrote it (Note [Sticky waiting bits]).  Records are aligned to a line. */
#define HSOMP_HAND_UNSET ((uintptr_t)2)
/* A batch described in the member's lines (Note [Tasks described in the
 * hand-off]). */
#define HSOMP_HAND_DESC ((uintptr_t)4)
/* A task handed in place of another member (Note [Claims in place]): the
 * place, a team id, in the word's bits from HSOMP_HAND_PLACE_SHIFT up,
 * above the record's address. */
#define HSOMP_HAND_PLACE ((uintptr_t)8)
#define HSOMP_HAND_PLACE_SHIFT 48
/* A task's child described beside the word (Note [A task's child
 * described beside its receiver's word]): the word's value says so, with
 * what the record's depth, flags and arguments' place and size are in
 * the bits from HSOMP_HAND_INLINE_DEPTH up. */
#define HSOMP_HAND_INLINE ((uintptr_t)16)
#define HSOMP_HAND_INLINE_DEPTH 6   /* 16 bits: the depth */
#define HSOMP_HAND_INLINE_FINAL 22  /* HSOMP_TASK_FINAL */
#define HSOMP_HAND_INLINE_UNTIED 23 /* HSOMP_TASK_UNTIED */
#define HSOMP_HAND_INLINE_WORDSAT 24 /* 2 bits: argument words */
#define HSOMP_HAND_INLINE_OFFSET 26 /* 9 bits: the arguments' offset in a block */
#define HSOMP_HAND_INLINE_INTERVAL 35 /* 13 bits: the interval's (also a batch's: Note [Describing after a barrier]) */
#define HSOMP_HAND_INTERVAL_BITS 13
_Static_assert(HSOMP_HAND_INLINE_WORDS < 4 && HSOMP_RECORD_BLOCK <= 512 &&
                   HSOMP_HAND_INLINE_OFFSET + 9 <= HSOMP_HAND_INLINE_INTERVAL &&
                   HSOMP_HAND_INLINE_INTERVAL + HSOMP_HAND_INTERVAL_BITS <= HSOMP_HAND_PLACE_SHIFT,
               "a described child's bits fit below a place");
#define HSOMP_HAND_STATE ((uintptr_t)HSOMP_CACHELINE - 1)

/* The word's value for the record t handed in place of member `place'
 * (Note [Claims in place]): t alone when either does not fit. */
_Static_assert(sizeof(uintptr_t) == 8, "a place above a record's address");
static inline uintptr_t hand_in_place(const struct hsomp_task *t, unsigned place) {
  uintptr_t a = (uintptr_t)t;
  if ((a >> HSOMP_HAND_PLACE_SHIFT) || place >> (64 - HSOMP_HAND_PLACE_SHIFT))
    return a;
  return a | HSOMP_HAND_PLACE | (uintptr_t)place << HSOMP_HAND_PLACE_SHIFT;
}

/* Note [A task's child described beside its receiver's word]
 * A task's child handed to a waiting thread (a tree's subtree: Note
 * [Designated receivers]) went as its record: the receiver read the
 * record's first line, its maker's, and freed the block into its own
 * cache when the subtree was done, so blocks went round the threads and
 * a thread's next record in such a block was written over lines another
 * had read or written last (lines 0 and 2), and the first child of a
 * moved task marked a parent in its hander's line 0 (coherence model,
 * TASK tree at 256 threads, per move: the receiver's read of the record 1
 * transfer, the rewrites 1, the parent's flag 0.5).  Now a common child -- what a batch
 * described in the hand-off must be (Note [Tasks described in the
 * hand-off]), with no taskgroup, no priority and at most
 * HSOMP_HAND_INLINE_WORDS words of arguments -- that goes to its
 * designated receiver is described in the rest of the receiver's hand-off
 * word's line (struct hsomp_hand_inline: function, parent, ICVs' address,
 * ancestors' signature, arguments) and in the word's value
 * (HSOMP_HAND_INLINE, the depth, the flags, the arguments' size and their
 * offset in a block).  The receiver makes its own record of it from its
 * own cache (record_remake, as for a described batch), and the hander
 * puts its record back in its own cache at once: records stay with the
 * threads that make them, and the receiver reads the description in the
 * line it reads anyway.
 *
 * The description is written as a batch's is (Note [Tasks described in
 * the hand-off]): the thread that hands reserves the receiver's
 * descriptions (`busy' in its description lines: one reservation for
 * both places a description may lie in), reads the word again (unless a
 * barrier tells: Note [Describing after a barrier]), and only if it is
 * open writes the description and moves the word from open to
 * its value (CAS), then frees the reservation.  So two describers never
 * overlap, and nobody writes a description the receiver may still read:
 * a describer that reserved after the last one's CAS reads the word after
 * it, so an open word is the receiver's reopening, which comes after it
 * read that description (acquire on the word).  A task handed as a record
 * meanwhile (a claim, a batch's chain) does not use the line, and a
 * describer whose CAS then fails leaves a description nobody reads.  A
 * CAS to a busy word first and the description after it cost more: the
 * receiver, looking at its word, read the busy word between the CAS and
 * the stores (in the model about 0.9 times per move), and the stores took
 * the line back from it; so did a prefetch for writing before the look
 * (the receiver's look between it and the stores then took the line).
 * Claims describe nothing: a claim moves the word without reading it,
 * and the reservation and the look cost what the record's line saves
 * (in the model, trees of 12 to 224 threads, 2 % more transfers in
 * all).  The reservation's line is the describer's as long as one thread
 * describes to the receiver (a tree's designated hander, round after
 * round).  Why no task is lost or runs twice is as
 * for a described batch: the child is the receiver's once its word left
 * open; the record it makes is the task, counted in its parent when it
 * was made; the hander frees its record after the CAS, when no queue
 * holds it.  A child that is not common, or whose receiver's descriptions
 * another thread holds reserved, still goes as its record. */

/* The low bits of a described task's interval in the word's value (Note
 * [Describing after a barrier]). */
static inline uintptr_t interval_bits(uint32_t interval) {
  return (uintptr_t)(interval & ((1u << HSOMP_HAND_INTERVAL_BITS) - 1)) << HSOMP_HAND_INLINE_INTERVAL;
}

/* The interval of the tasks described in the word's value h, from the
 * low bits h carries: the receiver, which takes them before the barrier
 * that ends that interval completes and after the one that began it
 * completed, has left as many barriers or one fewer (Note [Describing
 * after a barrier]). */
static uint32_t word_interval(const struct hsomp_thread *self, uintptr_t h) {
  const uint32_t mask = (1u << HSOMP_HAND_INTERVAL_BITS) - 1;
  uint32_t passed = self->ts.bar_passed;
  uint32_t ahead = ((uint32_t)(h >> HSOMP_HAND_INLINE_INTERVAL) - passed) & mask;
  HSOMP_ASSERT(ahead <= 1);
  return passed + ahead;
}

/* The record a task's child described beside member me's word (its value
 * h) becomes, made now from this thread's cache (Note [A task's child
 * described beside its receiver's word]). */
static struct hsomp_task *inline_task(struct hsomp_thread *self, struct hsomp_team *team,
                                      struct hsomp_tasking *tk, unsigned me, uintptr_t h) {
  const struct hsomp_hand_inline *p = &tk->member[me].inl;
  struct hsomp_hand_desc d = {
      .flags = (uint16_t)(((h >> HSOMP_HAND_INLINE_FINAL) & 1 ? HSOMP_TASK_FINAL : 0) |
                          ((h >> HSOMP_HAND_INLINE_UNTIED) & 1 ? HSOMP_TASK_UNTIED : 0)),
      .offset = (uint16_t)((h >> HSOMP_HAND_INLINE_OFFSET) & 511),
      .count = 1,
      .words = (uint8_t)((h >> HSOMP_HAND_INLINE_WORDSAT) & 3),
      .depth = (uint16_t)(h >> HSOMP_HAND_INLINE_DEPTH),
      .parent = p->parent,
      .taskgroup = NULL,
      .counted_tg = NULL,
      .icv = p->icv,
      .fn = p->fn};
  struct hsomp_task *t = tk->record_remake(self, team, &d, p->arg, p->ancestors);
  t->interval = word_interval(self, h);
  t->handed_next = NULL;
  return t;
}

/* The word's value for t described beside a receiver's word, or 0 when t
 * is not common (Note [A task's child described beside its receiver's
 * word]). */
static uintptr_t inline_word(const struct hsomp_task *t) {
  const uint32_t plain = HSOMP_TASK_DEFERRED | HSOMP_TASK_BLOCK | HSOMP_TASK_FINAL | HSOMP_TASK_UNTIED;
  size_t offset = (size_t)((char *)t->data - (char *)t);
  size_t words = (t->arg_size + 7) / 8;
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled) || (t->flags & ~plain) || !(t->flags & HSOMP_TASK_BLOCK) ||
      t->icv == &t->icv_own || t->taskgroup || t->counted_tg || t->priority || t->depth > UINT16_MAX ||
      words > HSOMP_HAND_INLINE_WORDS || offset + 8 * words > HSOMP_RECORD_BLOCK)
    return 0;
  return HSOMP_HAND_INLINE | (uintptr_t)t->depth << HSOMP_HAND_INLINE_DEPTH |
         (uintptr_t)((t->flags & HSOMP_TASK_FINAL) != 0) << HSOMP_HAND_INLINE_FINAL |
         (uintptr_t)((t->flags & HSOMP_TASK_UNTIED) != 0) << HSOMP_HAND_INLINE_UNTIED |
         (uintptr_t)words << HSOMP_HAND_INLINE_WORDSAT | (uintptr_t)offset << HSOMP_HAND_INLINE_OFFSET |
         interval_bits(t->interval);
}

/* Note [Describing after a barrier]
 * A describer reads the receiver's word before it writes (Note [A task's
 * child described beside its receiver's word]) only to know that the
 * receiver has read the last description it was handed: the read takes
 * the word's line shared from the receiver, which reopened it, and the
 * writes then take it again (in the model, a tree at 256 threads: one
 * transfer per move).  A completed barrier tells it too.  Number the
 * intervals between a region's barriers by how many the threads have
 * left complete (ts.bar_passed, counted by every member as it leaves
 * one).  Every task belongs to one: a child of an implicit task to the
 * interval its thread is in when it makes it (an implicit task makes
 * tasks only outside barriers; its record holds that count, set when it
 * is attached and, for after the barrier, as its thread enters one), any
 * other child to its parent's (a task's
 * descendants end before the barrier that ends its interval completes:
 * Note [Task-aware barrier], barrier.c); the record carries it
 * (`interval'), and a description 13 bits of it in the word's value,
 * from which the receiver rebuilds it (not in the batch's description
 * lines: a field more there took a slot from batches, and task
 * dependences at 64 threads cost 50 transfers more in the model).  Not the
 * describer's own count: a thread still waiting for its release from
 * barrier k+1 runs tasks that threads released before it made after it
 * (interval k+1), and hands their children.  A task of interval k is
 * read from its description before its barrier k+1 completes; a thread
 * that has left that barrier (ts.bar_passed > k) comes after.  So a
 * describer that hands records in the member's reservation word (`busy',
 * above its bit) the region's tag and the handed task's interval, and
 * the next describer, if the tag is its region's and its own count is
 * larger (modulo 2^31, by less than 2^30: it is never more than one
 * behind), writes the description and CASes the word without looking at
 * the word first: its first access to the line is a write.  If the word
 * was not open the CAS fails and the description stays unread (a record
 * handed meanwhile does not use the line); the reservation then keeps
 * what it held.  Otherwise (a task of an interval the describer has not
 * seen end, another region, cancellation enabled: a cancelled barrier is
 * left without completing) it looks first, as before. */
#define HSOMP_HAND_PASSED_MASK 0x7fffffffu
static uint64_t described_at(const struct hsomp_thread *self, uint32_t interval) {
  return (uint64_t)self->ts.bar_tag << 32 | (uint64_t)(interval & HSOMP_HAND_PASSED_MASK) << 1;
}
static bool interval_over(const struct hsomp_thread *self, uint64_t was) {
  uint32_t since = (self->ts.bar_passed - (uint32_t)(was >> 1)) & HSOMP_HAND_PASSED_MASK;
  return (uint32_t)(was >> 32) == self->ts.bar_tag && since != 0 &&
         since < (HSOMP_HAND_PASSED_MASK >> 1) && !hsomp_settings.cancellation;
}

/* Hand member i a description of tasks of `interval' (Note [Tasks
 * described in the hand-off]): reserve its description lines and the rest
 * of its word's line (`busy', bit 0), check that its word is still open
 * (unless a barrier says so: Note [Describing after a barrier]), write the
 * description (`write', inlined), move the word from open to `value', let
 * the lines go.  1 if handed, 0 if the word was not open, -1 if another
 * thread holds the member's descriptions reserved. */
static inline __attribute__((always_inline)) int
hand_description(struct hsomp_tasking *tk, unsigned i, uintptr_t value, uint32_t interval,
                 void (*write)(struct hsomp_tasking *tk, unsigned i, const void *what),
                 const void *what) {
  _Atomic uintptr_t *word = &tk->member[i].handoff;
  _Atomic uint64_t *busy = &tk->hand[i].busy;
  /* a reservation already there stays as it was */
  uint64_t was = atomic_fetch_or_explicit(busy, 1, memory_order_acquire);
  if (was & 1)
    return -1; /* another thread describes tasks to it */
  const struct hsomp_thread *self = hsomp_self();
  bool handed = false;
  /* acquire: the member read its last description before it reopened */
  if (interval_over(self, was) ||
      atomic_load_explicit(word, memory_order_acquire) == HSOMP_HAND_OPEN) {
    write(tk, i, what);
    uintptr_t open = HSOMP_HAND_OPEN;
    handed = atomic_compare_exchange_strong_explicit(word, &open, value, memory_order_acq_rel,
                                                     memory_order_relaxed);
  }
  atomic_store_explicit(busy, handed ? described_at(self, interval) : was, memory_order_release);
  return handed;
}

/* A task's child described beside member i's word (what: the task). */
static inline __attribute__((always_inline)) void write_inline(struct hsomp_tasking *tk, unsigned i,
                                                               const void *what) {
  const struct hsomp_task *t = what;
  struct hsomp_hand_inline *p = &tk->member[i].inl;
  p->fn = t->fn;
  p->parent = t->parent;
  p->icv = t->icv;
  p->ancestors = t->ancestors;
  unsigned words = (unsigned)((t->arg_size + 7) / 8); /* as inline_word counted them */
  for (unsigned k = 0; k < words; k++)
    memcpy(&p->arg[k], (const char *)t->data + 8 * k, 8);
}

/* Hand t, described by its word's value `inl', to member i (Note [A
 * task's child described beside its receiver's word]): 1 if handed (t is
 * then this thread's to free), 0 if the word was not open, -1 if another
 * thread holds the member's descriptions reserved. */
static int hand_inline(struct hsomp_tasking *tk, unsigned i, const struct hsomp_task *t,
                       uintptr_t inl) {
  return hand_description(tk, i, inl, t->interval, write_inline, t);
}

/* The handed tasks in the word's value h (> open), noting a
 * cleared bit: a record and the rest of its batch (handed_next), or
 * records made now from the description in the member's lines. */
static struct hsomp_task *handed_tasks(struct hsomp_thread *self, struct hsomp_team *team,
                                       struct hsomp_tasking *tk, unsigned me, uintptr_t h) {
  struct hsomp_task_member *mine = &tk->member[me];
  if (h & HSOMP_HAND_UNSET)
    mine->in_set = false;
  if (h & HSOMP_HAND_PLACE) { /* Note [Claims in place] */
    mine->desig = hsomp_task_desig_at((unsigned)(h >> HSOMP_HAND_PLACE_SHIFT), tk->cap);
    h &= ((uintptr_t)1 << HSOMP_HAND_PLACE_SHIFT) - 1;
  }
  if (h & HSOMP_HAND_INLINE)
    return inline_task(self, team, tk, me, h);
  if (!(h & HSOMP_HAND_DESC))
    return (struct hsomp_task *)(h & ~HSOMP_HAND_STATE);
  /* Note [Tasks described in the hand-off] */
  const struct hsomp_hand_desc *d = &tk->hand[me].d;
  struct hsomp_tie_sig sig = hsomp_task_child_ancestors(d->parent);
  struct hsomp_task *first = NULL, **link = &first;
  const uint64_t *entry = tk->hand[me].slot;
  unsigned dep = d->flags & HSOMP_TASK_DEPEND ? 1 : 0;
  /* Note [Completion signalled per batch] (task_deps.c): first the
   * batch, which holds the maker's records; without one (0) each entry's
   * last word is its task's */
  uintptr_t batch = 0;
  if (dep) {
    memcpy(&batch, entry++, sizeof batch);
    if (batch)
      dep = 0;
  }
  unsigned stride = (d->fn ? 0 : 1) + d->words + dep;
  uint32_t interval = word_interval(self, h);
  for (unsigned k = 0; k < d->count; k++, entry += stride) {
    struct hsomp_task *t = tk->record_remake(self, team, d, entry, sig);
    t->interval = interval;
    if (d->flags & HSOMP_TASK_DEPEND) {
      /* Note [Tasks with dependences described in the hand-off] (task_deps.c) */
      t->dep_origin = NULL; /* with a batch: its completion reads it there if it must */
      if (!batch)
        memcpy(&t->dep_origin, &entry[stride - 1], sizeof t->dep_origin);
      t->flags |= HSOMP_TASK_DEP_PROXY;
      t->succ = NULL; /* record_free frees no successor list of the proxy's */
      t->dep_proxy_batch = batch ? batch | k : 0;
    }
    *link = t;
    link = &t->handed_next;
  }
  *link = NULL;
  return first;
}

void hsomp_task_start_waiting(struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  /* seq_cst: a thread that hands reads the word after the bit */
  uintptr_t old = atomic_exchange_explicit(&mine->handoff, HSOMP_HAND_OPEN, memory_order_seq_cst);
  HSOMP_ASSERT(old == HSOMP_HAND_CLOSED || old == HSOMP_HAND_UNSET || old > HSOMP_HAND_UNSET);
  if (old & HSOMP_HAND_UNSET)
    mine->in_set = false;
  mine->waiting = true;
  hsomp_task_desig_reset(tk, me); /* Note [Designated receivers]: idle */
  if (!mine->in_set) { /* Note [Sticky waiting bits] */
    atomic_fetch_or_explicit(waiting_word(tk, me), 1ull << (me % HSOMP_WAITING_PER_WORD),
                             memory_order_seq_cst);
    mine->in_set = true;
  }
}

void hsomp_task_leave_set_slow(struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  HSOMP_ASSERT(!mine->waiting);
  mine->in_set = false;
  atomic_fetch_and_explicit(waiting_word(tk, me), ~(1ull << (me % HSOMP_WAITING_PER_WORD)),
                            memory_order_relaxed);
}

struct hsomp_task *hsomp_task_withdraw(struct hsomp_thread *self, struct hsomp_team *team,
                                       struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  mine->waiting = false;
  uintptr_t h = HSOMP_HAND_OPEN;
  if (atomic_compare_exchange_strong_explicit(&mine->handoff, &h, HSOMP_HAND_CLOSED,
                                              memory_order_acquire, memory_order_acquire))
    return NULL; /* its bit stays (Note [Sticky waiting bits]) */
  HSOMP_ASSERT(h > HSOMP_HAND_UNSET);
  return handed_tasks(self, team, tk, me, h); /* stays in the word, which is closed unless open */
}

/* The next member of block w among `*bits' that a thread that hands may
 * try (not `me', and in the team), taken out of *bits; -1 when none is
 * left or the looks are spent (each member tried is one look: Note
 * [Sticky waiting bits]).  The one walk over a block's bits of the look
 * for an open word and of the hand-off. */
static inline int next_in_word(uint64_t *bits, unsigned w, unsigned n, unsigned me,
                               unsigned *looks) {
  while (*bits && *looks) {
    unsigned i = w * HSOMP_WAITING_PER_WORD + (unsigned)__builtin_ctzll(*bits);
    *bits &= *bits - 1;
    if (i >= n || i == me)
      continue;
    --*looks;
    return (int)i;
  }
  return -1;
}

static inline bool word_open(struct hsomp_tasking *tk, unsigned i) {
  return atomic_load_explicit(&tk->member[i].handoff, memory_order_relaxed) == HSOMP_HAND_OPEN;
}

/* A member of block w whose bit is set and whose hand-off word is open,
 * or -1. */
static int open_in_word(struct hsomp_tasking *tk, unsigned w, unsigned n, unsigned me,
                        unsigned *looks) {
  uint64_t bits = atomic_load_explicit(&tk->member[w].waiting_bits, memory_order_seq_cst);
  int i;
  while ((i = next_in_word(&bits, w, n, me, looks)) >= 0)
    if (word_open(tk, i))
      return i;
  return -1;
}

/* What a thread hands: a chain of records (`t'), or, with `desc', the
 * batch's description for the receiver's lines (Note [Tasks described in
 * the hand-off]), made from the records in `t', which go back to the
 * hander's cache once the receiver has it. */
struct hand {
  struct hsomp_task *t;
  uintptr_t word;                 /* t as the word carries it (Note [Claims in place]) */
  bool desc;
  struct hsomp_dep_batch *batch;  /* tasks with dependences: Note [Completion signalled per batch] */
  struct hsomp_hand_desc d;
  unsigned slots;                 /* words of slot used */
  uint64_t slot[HSOMP_HAND_SLOTS];
};

/* A producer's batch described in member i's description lines (what:
 * the struct hand). */
static inline __attribute__((always_inline)) void write_batch(struct hsomp_tasking *tk, unsigned i,
                                                              const void *what) {
  const struct hand *h = what;
  struct hsomp_hand_lines *l = &tk->hand[i];
  l->d = h->d;
  for (unsigned k = 0; k < h->slots; k++)
    l->slot[k] = h->slot[k];
}

/* Hand the description of h to member i, whose word read open, moving
 * its word to HSOMP_HAND_DESC; true if handed (Note [Tasks described in
 * the hand-off]). */
static bool hand_described(struct hsomp_tasking *tk, unsigned i, const struct hand *h) {
  return hand_description(tk, i, HSOMP_HAND_DESC | interval_bits(h->t->interval), h->t->interval,
                          write_batch, h) > 0;
}

/* Member i's bit was just taken out of the set by this thread: hand it h
 * if its word is open, else flag the word so that it sets its bit again
 * when it next waits; true if handed. */
static bool claimed(struct hsomp_tasking *tk, unsigned i, const struct hand *h) {
  _Atomic uintptr_t *word = &tk->member[i].handoff;
  uintptr_t v = HSOMP_HAND_OPEN; /* as it mostly is: no read before the CAS */
  do {
    if (v & HSOMP_HAND_UNSET)
      return false; /* flagged already */
  } while (!atomic_compare_exchange_weak_explicit(
      word, &v, v == HSOMP_HAND_OPEN ? h->word | HSOMP_HAND_UNSET : v | HSOMP_HAND_UNSET,
      memory_order_acq_rel, memory_order_relaxed));
  return v == HSOMP_HAND_OPEN;
}

/* Hand h to a waiting member of block w: the member, or -1 if none took
 * it.  With `claim' (a task's child: the receiver will be busy for long),
 * the member's bit is taken out of the set (fetch_and) before its word is
 * moved from open to the task; else the bit stays, and only a member
 * whose word reads open is tried (Note [Sticky waiting bits]). */
static int hand_in_word(struct hsomp_tasking *tk, unsigned w, unsigned n, unsigned me,
                        const struct hand *h, bool claim, unsigned *looks) {
  HSOMP_ASSERT(((uintptr_t)h->t & HSOMP_HAND_STATE) == 0 && !(claim && h->desc));
  _Atomic uint64_t *word = &tk->member[w].waiting_bits;
  uint64_t bits = atomic_load_explicit(word, claim ? memory_order_relaxed : memory_order_seq_cst);
  int i;
  while ((i = next_in_word(&bits, w, n, me, looks)) >= 0) {
    if (claim) {
      uint64_t bit = 1ull << ((unsigned)i % HSOMP_WAITING_PER_WORD);
      uint64_t old = atomic_fetch_and_explicit(word, ~bit, memory_order_acq_rel);
      if ((old & bit) && claimed(tk, (unsigned)i, h))
        return i;
      bits &= old;
    } else if (word_open(tk, (unsigned)i)) {
      uintptr_t open = HSOMP_HAND_OPEN;
      if (h->desc ? hand_described(tk, (unsigned)i, h)
                  : atomic_compare_exchange_strong_explicit(&tk->member[i].handoff, &open,
                                                            (uintptr_t)h->t, memory_order_acq_rel,
                                                            memory_order_relaxed))
        return i;
    }
  }
  return -1;
}

/* The next waiting word a thread that hands looks at: its own block's
 * first (k = 0), then every other one from a random start, so that the
 * handers do not all race for one block. */
static unsigned word_to_look(struct hsomp_tasking *tk, unsigned me, unsigned words, unsigned k,
                             unsigned prev) {
  unsigned own = me / HSOMP_WAITING_PER_WORD;
  if (k == 0 || k == words)
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

/* Note [Batches that grow]
 * A producer's pairs (Note [Handing tasks in pairs]) cost a hand-off per
 * two tasks, about four line transfers, and a count release: when the
 * tasks are short and one thread makes them all (a loop of tasks in
 * `single'), the threads it hands to are soon back waiting, and the
 * producer hands pair after pair to the same few, paying the hand-off
 * per pair (in the coherence model, TASK steal at 64 threads: 252 of
 * 790 transfers).  So an implicit task's children go in batches of
 * 2 << hand_shift (its thread's own field), and the size adapts to what
 * the hand-offs show: the thread notes the members of its own block it
 * has handed a batch to since the size last changed (`hand_seen'); a
 * batch that goes to a member noted already -- a thread that ran a whole
 * batch while the producer made the next ones -- doubles the size, and
 * a batch that must go outside the producer's block -- its block mates
 * are all busy -- halves it (down to the pair).  With tasks long against
 * their making, the first hand-offs go to every block mate once and then
 * outside, and the batch stays a pair: each thread gets work as before.
 * With short ones the few threads that keep up run them in bigger
 * batches, and the producer pays a hand-off per batch.  A batch holds at
 * most 16 tasks and at most N/4: its last receiver runs it alone at the
 * end of the round (in the model, batches of 16 at 16 threads made the
 * round 24 % longer, and batches of 32 at 64 threads 30 %).  The size
 * starts from the pair at every task wait of the thread
 * (hsomp_task_hand_reset: a new phase may make other tasks), so at most
 * a batch of tasks known to be short waits behind a long one on one
 * thread.  The price: a producer that, with a batch half made, computes
 * for long before its next task leaves up to a batch of tasks (a pair's
 * before) to the thieves' occasional look at unadvertised deques (Note
 * [Offering tasks to waiting threads]) until it reaches a task wait,
 * where it runs them itself.  A batch's tasks past the first stay in the
 * receiver's deque unadvertised, found by the thieves' occasional look
 * (Note [Offering tasks to waiting threads]): advertised, every idle
 * thief polled the receivers' indices (in the model 544 -> 1416
 * transfers at 64 threads), and handing the producer's kept tasks in
 * pairs at its wait cost more than it saved. */
#define HSOMP_HAND_BATCH_MAX_SHIFT 3 /* batches of up to 16 */
_Static_assert(HSOMP_WAITING_PER_WORD <= 8, "hand_seen (a uint8_t) holds a bit per block member");

/* A batch of the implicit task's children went to member i (Note
 * [Batches that grow]). */
static void batch_went(struct hsomp_task_member *mine, unsigned me, unsigned n, int i) {
  unsigned own = me / HSOMP_WAITING_PER_WORD;
  if ((unsigned)i / HSOMP_WAITING_PER_WORD != own) {
    if (mine->hand_shift)
      mine->hand_shift--;
    mine->hand_seen = 0;
    return;
  }
  uint8_t bit = (uint8_t)(1u << ((unsigned)i % HSOMP_WAITING_PER_WORD));
  /* at most N/4 tasks: a batch is a small share of the team's work */
  if ((mine->hand_seen & bit) && mine->hand_shift < HSOMP_HAND_BATCH_MAX_SHIFT &&
      (4u << mine->hand_shift) <= n / 4) {
    mine->hand_shift++;
    mine->hand_seen = 0;
  }
  mine->hand_seen |= bit;
}

/* Note [Tasks described in the hand-off]
 * A handed task used to go as its record: the receiver read the record's
 * first line, which its maker had written, and the block then went round
 * the threads' caches (the receiver freed it, the depot took it back to
 * the producer), where its next maker took the line back from the cache
 * of its last runner: two line transfers per task, and the depot's
 * batches besides (in the coherence model, TASK steal at 256 threads:
 * 1107 of 2683 transfers).  Now a producer's batch (Note [Batches that
 * grow]) of common tasks is described in lines of the receiver's
 * (tk->hand[i], made with the team's tasking state when its teams hand
 * tasks): what its tasks share -- parent, taskgroups, ICVs, depth,
 * flags, where the arguments lie in a record, and their function when
 * they all have one -- once, then each task's function (if they differ)
 * and arguments.  The receiver makes records of its own from that, in
 * blocks from its own cache (record_remake in task.c), and the maker
 * puts its records back in its own cache at once.  Records then stay in the caches of the threads that
 * make them, and a batch costs its description's lines -- one for a
 * batch of argument-less tasks of one function, whatever its size --
 * where it cost two lines per task.  Common: no detach
 * event, no copy constructor (cpyfn: the copies must not move), no
 * priority, ICVs shared with the parent, arguments of at most
 * HSOMP_HAND_ARG_WORDS words in a recycled block, the same parent,
 * taskgroups, ICVs and flags for the whole batch, which fits the lines,
 * and no tool attached (a tool knows a task by its record); tasks with
 * depend clauses carry their record's address in their entry and run as
 * proxies of it (Note [Tasks with dependences described in the hand-off]
 * in task_deps.c), and their maker does not free them; any other
 * batch goes as records, as before, and so does a task's child that
 * goes by a claim (one task, whose record the receiver reads in one line;
 * a claim reads no word before its CAS, so the reservation and that read
 * cost about what the record's line does: measured, Note [A task's child
 * described beside its receiver's word]); a common child that goes to its
 * designated receiver is described beside the receiver's word (that
 * Note).  The arguments travel as whole words: the bytes that round a
 * task's own up to a word are copied too, from and into its block.
 *
 * The description is written in the receiver's lines, which several
 * threads may want to write at once, so a thread that hands first
 * reserves them (`busy', its bit 0 set by an atomic or), then reads the receiver's
 * word again (unless a barrier tells: Note [Describing after a
 * barrier]): if it is still open, it writes the description and moves
 * the word from open to HSOMP_HAND_DESC (CAS), and it frees the
 * reservation after that CAS, whether it succeeded or not.  The
 * reservation lies in the description's first line, not in the word's:
 * the receiver re-reads its word while it waits, and a reservation
 * there would have it read the word while the description is being
 * written (in the model, two more transfers per batch); the receiver
 * never touches the reservation, and never waits for it.  A description
 * is never written while its receiver may read it: the receiver reads it
 * only after its word says HSOMP_HAND_DESC, and before it reopens its
 * word; the next thread that writes one has reserved the lines after the
 * last writer freed them (its acquire sees that writer's CAS to
 * HSOMP_HAND_DESC), so the open word it reads is a reopening by the
 * receiver, which had read that description (acquire on the word).  Two
 * writers never overlap (the reservation), and a writer whose CAS fails
 * leaves lines nobody reads until the next description.  Why no task is
 * lost or runs twice is then as before (Note [Offering tasks to waiting
 * threads]): a batch is the receiver's once its word left open; the
 * records it makes are the tasks, counted in their parent and taskgroup
 * when they were made; and the maker frees its records only once the
 * batch was handed, when no queue holds them (it took them off its
 * deque; a thief reads a slot's task only after its CAS on `top', which
 * then fails), or puts them back on its deque when no one took it. */

/* Whether the records of h->t (a chain) go as a description, and if so
 * the description (Note [Tasks described in the hand-off]). */
static void describe_batch(struct hand *h, const struct hsomp_task *current) {
  struct hsomp_task *t = h->t;
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled) || t->depth > UINT16_MAX)
    return;
  _Static_assert(2 << HSOMP_HAND_BATCH_MAX_SHIFT <= UINT8_MAX, "a batch's count fits its byte");
  const uint32_t common = HSOMP_TASK_DEFERRED | HSOMP_TASK_BLOCK | HSOMP_TASK_FINAL |
                          HSOMP_TASK_UNTIED | HSOMP_TASK_DEPEND;
  size_t offset = (size_t)((char *)t->data - (char *)t);
  unsigned words = 0, count = 0;
  void (*fn)(void *) = t->fn;
  for (struct hsomp_task *r = t; r; r = r->handed_next, count++) {
    if (r->fn != fn)
      fn = NULL;
    if ((r->flags & ~common) || !(r->flags & HSOMP_TASK_BLOCK) || r->icv == &r->icv_own ||
        r->parent != t->parent || r->interval != t->interval || r->taskgroup != t->taskgroup ||
        r->counted_tg != t->counted_tg || r->flags != t->flags ||
        (size_t)((char *)r->data - (char *)r) != offset || r->arg_size > 8 * HSOMP_HAND_ARG_WORDS)
      return;
    unsigned rw = (unsigned)((r->arg_size + 7) / 8);
    words = rw > words ? rw : words;
  }
  /* Note [Tasks with dependences described in the hand-off] (task_deps.c):
   * the entries follow the batch (Note [Completion signalled per batch]),
   * and without one each entry holds its record's address too. */
  unsigned dep = (t->flags & HSOMP_TASK_DEPEND) ? 1 : 0;
  if (count * ((fn ? 0 : 1) + dep + words) + dep > HSOMP_HAND_SLOTS ||
      offset + 8 * words > HSOMP_RECORD_BLOCK)
    return;
  h->d = (struct hsomp_hand_desc){.parent = t->parent,
                                  .taskgroup = t->taskgroup,
                                  .counted_tg = t->counted_tg,
                                  .icv = t->icv,
                                  .flags = (uint16_t)(t->flags & (HSOMP_TASK_FINAL | HSOMP_TASK_UNTIED |
                                                                  HSOMP_TASK_DEPEND)),
                                  .offset = (uint16_t)offset,
                                  .count = (uint8_t)count,
                                  .words = (uint8_t)words,
                                  .depth = (uint16_t)t->depth,
                                  .fn = fn};
  uint64_t *s = h->slot;
  if (dep) { /* Note [Completion signalled per batch]: the batch first, which holds the records */
    /* only the thread running the parent uses its table */
    const struct hsomp_dep_batch_fns *f = t->parent == current ? hsomp_deps_batch_fns(t->parent) : NULL;
    h->batch = f ? f->batch_new(t) : NULL;
    memcpy(s++, &h->batch, 8);
    if (h->batch)
      dep = 0;
  }
  for (struct hsomp_task *r = t; r; r = r->handed_next) {
    if (!fn) {
      void (*f)(void *) = r->fn;
      memcpy(s++, &f, 8);
    }
    for (unsigned k = 0; k < words; k++)
      memcpy(s++, (char *)r->data + 8 * k, 8);
    if (dep)
      memcpy(s++, &r, 8);
  }
  h->slots = (unsigned)(s - h->slot);
  h->desc = true;
}

/* Note [Designated receivers]
 * A task's child that goes at once (Note [Offering tasks to waiting
 * threads]: a tree's subtree) used to take the receiver's bit out of its
 * block's waiting word first (Note [Sticky waiting bits]): the hander read
 * the word, cleared the bit (fetch_and), moved the receiver's hand-off
 * word (CAS), and the receiver set its bit again (fetch_or) at its next
 * wait -- in the coherence model about 3.5 of the 13.5 line transfers
 * that each moved subtree cost (TASK tree at 256 threads: 4515 transfers,
 * 255 moves).  The RMWs on a word shared by 8 threads and all the threads
 * that hand are there to find a waiting thread; in a tree whose subtrees
 * each move once they can be spared by knowing whom to try.
 *
 * So every member has designated receivers, the children of its id in a
 * binomial tree over the team ids: member t > 0 hands to t + lowbit(t)/2,
 * then t + lowbit(t)/4, ..., t + 1; member 0 to the largest power of two
 * below the team's size, then half that, ..., 1 (ids past the team are
 * skipped; a member may play another's place in this tree, Note [Claims
 * in place]).  `desig' (its own field) holds the next distance to try; it
 * starts again from the first when the thread starts waiting (it is idle:
 * what it gets next is a new piece of work) and at a task wait of its
 * implicit task (`single' running a recursive function: the tree's
 * root), never at an explicit task's task wait, which comes after the
 * thread handed that task's children.  A task's child that goes at once
 * is first offered by a CAS from open to the task on the designated
 * receiver's word, with no look at the waiting word and no claim: the
 * receiver's bit stays set (its `in_set' stays true, so it does not set
 * it again), as for a producer's batches (Note [Sticky waiting bits]).
 * On success the distance halves; when the CAS fails (the receiver does
 * not wait: at the start of a round the team is still coming out of the
 * previous barrier, or it got other work) the task goes by a claim, in
 * the receiver's place (Note [Claims in place]), and the distance halves
 * if the claim found a thread; if not, the next child tries the same
 * receiver again.  The task
 * handed is the thread's oldest: with only the child just pushed in its
 * deque the CAS is blind, and a failure puts the child back where it was;
 * with more (a tree's root, whose first child is still queued when its
 * second makes a child), the thread first reads the receiver's word and
 * takes its oldest task only if the word is open, so that a failed CAS
 * seldom has to put an old task back (which then goes where Note [A task
 * not handed goes back where it was] says: a thread in a task wait stops
 * at a task at its deque's bottom that it may not run).  A subtree handed to member r
 * this way is about half its hander's, and r's own receivers, r +
 * lowbit(r)/2 ..., lie in the part of the ids that r's hander does not
 * designate: when a tree starts on member 0 and its subtrees go down the
 * binomial tree, each hand-off costs the receiver's reopening of its
 * word, the CAS and the receiver's read (and a common child goes
 * described beside the word: Note [A task's child described beside its
 * receiver's word]).  A tree started elsewhere, or tasks of other
 * shapes, fall back to claims as before, paying one failed
 * CAS per hand-off at most (none when the thread has no designated
 * receiver left).  Not on crowded CPUs, where nobody waits so: there the
 * distance is not reset at the implicit task's waits.  Why no task is lost or
 * runs twice is unchanged (Note [Offering tasks to waiting threads]): a
 * task goes only by the CAS on an open word, which only its receiver
 * moves back, and a stale bit only costs a claim a look.  Teams of up to
 * HSOMP_TASK_BIG_TEAM threads take none of this.
 *
 * Note [Claims in place]
 * The binomial tree of designated receivers was realised only in part:
 * when a designated CAS failed, the task went by a claim to whichever
 * thread waited -- mostly a block mate of the hander, whose own part of
 * the tree (from lowbit(id)/2 down; none for an odd id) is far smaller
 * than the subtree it got -- and the hand-offs below it went by claims
 * too (coherence model, TASK tree at 256 threads, per round of 255 moves:
 * 134 designated, 44 claims after a failed designated CAS and 77 by
 * threads with no designated receiver left; a claim, with its look at the
 * waiting word, the fetch_and, the CAS and the receiver's fetch_or when it
 * waits again, about 5.4 line transfers, a designated hand-off 1.3 plus
 * the receiver's reopening and read of its word).  So a member plays a
 * *place* in the tree, its own id unless told otherwise (`desig' holds the
 * place and the next distance), and its designated receivers are the
 * place's: place + lowbit(place)/2, ..., place + 1.  A claim made after a
 * designated CAS on member r failed hands the task in r's place: the
 * receiver's word carries r above the record's address (HSOMP_HAND_PLACE,
 * the id in bits 48 up; a record whose address has any of those bits
 * set, or an id that does not fit, goes without it, and its receiver
 * plays its own id), the receiver then plays r's place -- it designates
 * the part of the tree r would have -- and the hander's distance halves
 * as after a designated hand-off.  r itself, once it waits, is designated
 * by nobody until its next wait starts from its own place again, and may
 * be claimed.  So one late receiver costs one claim, and the tree below it
 * is still handed by designated CASes (the model, 256 threads: 252 of 255
 * moves designated, 3 claims; the row 3987 -> 3290 transfers, critical
 * chain 103 -> 60).  A task's child looks for a thread to claim in the
 * other blocks first and in its own block last: the members of its block
 * are mostly in the part of the tree it plays, busy with what it handed
 * them, and their bits stay set while they run it (Note [Sticky waiting
 * bits]), so a claim there mostly cleared stale bits (a fetch_and, a
 * failed CAS, and the member's fetch_or when it next waits).  In a team
 * that is not a power of two the tree's last levels outnumber the
 * places, and claims hand them (the model, 192 threads: 68 claims per
 * round; their own block first cost 3981 transfers, other blocks first
 * 3754-3804; 24 threads 487 -> 430).  Places are hints, like the bits: two threads may play
 * overlapping places (a claim without a place, after a thread ran out of
 * receivers, gives its receiver its own id's), which costs a failed CAS
 * and a claim.  Why no task is lost or runs twice is unchanged: a task
 * still goes only by the CAS on an open word, and the receiver takes the
 * place's bits off the word's value before it reads the address
 * (handed_tasks). */
/* The designated receiver a task's child of member `mine' goes to next,
 * in a team of n (distances past the team skipped), or 0: none left. */
static unsigned desig_next(struct hsomp_task_member *mine, unsigned n) {
  uint32_t d = mine->desig;
  unsigned place = d >> HSOMP_DESIG_SHIFT, log1 = d & HSOMP_DESIG_LOG_MASK;
  while (log1 && place + (1u << (log1 - 1)) >= n)
    log1--;
  mine->desig = (uint32_t)place << HSOMP_DESIG_SHIFT | log1;
  return log1 ? place + (1u << (log1 - 1)) : 0;
}

bool hsomp_task_hand_designated(struct hsomp_tasking *tk, unsigned me, unsigned n, bool look,
                                const struct hsomp_task *current,
                                const struct hsomp_deque_ops *ops) {
  struct hsomp_task_member *mine = &tk->member[me];
  unsigned to = desig_next(mine, n);
  if (!to || (look && !word_open(tk, to)))
    return false;
  struct hsomp_task *t = ops->take_oldest(&mine->dq);
  if (!t)
    return false;
  t->handed_next = NULL;
  uintptr_t open = HSOMP_HAND_OPEN;
  /* Note [A task's child described beside its receiver's word] */
  uintptr_t inl = inline_word(t);
  int described = inl ? hand_inline(tk, to, t, inl) : -1;
  if (described > 0 ||
      (described < 0 && atomic_compare_exchange_strong_explicit(&tk->member[to].handoff, &open,
                                                                (uintptr_t)t, memory_order_acq_rel,
                                                                memory_order_relaxed))) {
    if (described > 0)
      tk->record_free(t);
    mine->desig--; /* the next distance, half this one */
    HSOMP_SIM_EVENT("designated-ok");
    return true;
  }
  HSOMP_SIM_EVENT("designated-failed");
  /* Ours again: back where it was when it was the only one, else as a
   * failed claim's (Note [A task not handed goes back where it was]) */
  ops->put_back(tk, &mine->dq, t, current);
  return false;
}

/* Note [A task not handed goes back where it was]
 * The tasks a thread hands are its deque's oldest, taken off the top
 * before the hand-off (a task must be the hander's before it is handed:
 * a thief could take it meanwhile).  When no thread takes them -- the
 * word read open closed meanwhile, or, for a task's child, whose look
 * reads the waiting bits only, every set bit was stale (Note [Sticky
 * waiting bits]) -- they used to be pushed back at the bottom, the
 * newest end.  The oldest task of a deque may belong to a shallower
 * frame of the owner than the one it runs now (a sibling of an
 * ancestor): pushed back at the bottom it lay above the current task's
 * children, and a thread suspended in a taskwait takes from the bottom
 * only what it may run and otherwise looks at the top only (Note
 * [Stealing only what may run]), as thieves do, so the children in
 * between were reachable by nobody constrained; the unconstrained threads
 * (at a barrier, the join) that normally steal such a deque's top away
 * may all have left -- a tree made by a member other than the master,
 * whose team mates left at the join before the first task (Note [Workers
 * stay for late tasks], join.c): the master and two workers slept in
 * taskwaits for good with their children under a stranger in a deque.
 * So a task not handed goes back to the bottom only when that keeps the
 * deque in the order of the owner's frames: it is a child of the task
 * the owner runs (`current', a sibling of the task just pushed), or the
 * owner runs its implicit task (the bottom frame: every task in its
 * deque is of that frame or would be older); any other goes back on top,
 * where it was, below everything the owner pushed since (Note [Putting a
 * task back on top] in task_sched.c): the deque is then in the order of
 * the owner's frames again, thieves and hand-offs see the task first, and
 * the owner reaches it when it comes back down to its frame.  Only when a
 * thief moved the top meanwhile does it go to the shared queue, which
 * every thread looks at past what it may not run (as readied tasks do,
 * Note [Readied tasks and the Task Scheduling Constraint] in
 * task_sched.c), and which wakes a sleeper for it; the owner finds it
 * there when it comes back down to its frame.  Either way the owner
 * still runs, or can run, everything it queued (Note [Stealing only what
 * may run], (2)).  The shared queue was the only way at first: in a team
 * of 256 threads (coherence model, README "Scale") one such task in the
 * queue, about one a four rounds of the task tree, lined every idle
 * thread up on the queue's lock (Note [Polling the shared queue in a big
 * team]) and cost the round ten times its transfers. */

/* After the owner pushed t onto its deque in a big team: hand its oldest
 * tasks to a waiting thread when it has some to spare (more than it keeps:
 * one, two for an implicit task's children, which go in batches; or the
 * first child of a task), and keep the advert right; true if a task was
 * handed (Note [Offering tasks to waiting threads]). */
bool hsomp_task_offer_oldest(struct hsomp_tasking *tk, unsigned me, unsigned n, int64_t keep,
                             bool first_child, bool hide_kept, const struct hsomp_task *current,
                             const struct hsomp_deque_ops *ops) {
  struct hsomp_task_member *mine = &tk->member[me];
  struct hsomp_deque *dq = &mine->dq;
  int64_t size = hsomp_deque_size(dq);
  /* Note [Handing tasks in pairs], Note [Batches that grow] */
  int64_t batch = keep >= HSOMP_HAND_PAIR_KEEP ? (int64_t)2 << mine->hand_shift : 1;
  bool spare = size >= keep + batch || (first_child && size == 1);
  unsigned words = (n + HSOMP_WAITING_PER_WORD - 1) / HSOMP_WAITING_PER_WORD, w = 0, k;
  bool waiting = false, handed = false;
  /* The tasks it keeps are not advertised (a task's child, which it runs
   * next at its taskwait, never; an implicit task's two when `hide_kept'):
   * no look for a waiting thread just for the advert (Note [Kept tasks are
   * not advertised]). */
  bool look = spare || (hide_kept ? size > keep : keep != 1);
  /* Note [Sticky waiting bits]: a task's child goes with its receiver's
   * bit (claim); an implicit task's children leave it.  A look for the
   * advert alone, or for a claim, reads the bits only. */
  bool claim = keep == 1;
  /* Note [Designated receivers]: a task's child to its receiver, if it
   * waits; then no look at the waiting words, only the advert below */
  unsigned in_place = 0; /* Note [Claims in place]: the receiver that did not take it */
  if (claim && spare && (mine->desig & HSOMP_DESIG_LOG_MASK)) {
    handed = hsomp_task_hand_designated(tk, me, n, size > 1, current, ops);
    if (!handed)
      in_place = desig_next(mine, n);
  }
  unsigned looks = HSOMP_HAND_LOOKS;
  /* a task's child: its own block last (Note [Claims in place]) */
  unsigned k0 = spare && claim ? 1 : 0, end = spare ? words + k0 : look ? 1 : 0;
  for (k = k0; k < end && !handed && !waiting && looks; k++) {
    w = word_to_look(tk, me, words, k, w);
    waiting = spare && !claim ? open_in_word(tk, w, n, me, &looks) >= 0
                              : atomic_load_explicit(&tk->member[w].waiting_bits, memory_order_relaxed) != 0;
  }
  if (spare && waiting) {
    struct hsomp_task *first = ops->take_oldest(dq);
    if (first) {
      /* Ours again: their line 0 is this thread's to write until handed. */
      struct hsomp_task *last = first, *next;
      for (int64_t m = 1; m < batch && (next = ops->take_oldest(dq)); m++)
        last = last->handed_next = next;
      last->handed_next = NULL;
      struct hand h;
      h.t = first;
      h.word = in_place ? hand_in_place(first, in_place) : (uintptr_t)first;
      h.desc = false;
      h.batch = NULL;
      if (!claim) /* a task's child goes as its record */
        describe_batch(&h, current);
      looks = HSOMP_HAND_LOOKS;
      int to = -1;
      for (k--; k < end && to < 0 && looks; k++) {
        to = hand_in_word(tk, w, n, me, &h, claim, &looks);
        w = word_to_look(tk, me, words, k + 1, w);
      }
      handed = to >= 0;
      HSOMP_SIM_EVENT(handed ? "claim-ok" : "claim-failed");
      if (handed) {
        if (in_place) /* Note [Claims in place]: that part of the tree went */
          mine->desig--;
        if (!claim)
          batch_went(mine, me, n, to);
        /* Described: the records are this thread's again -- except those
         * with dependences, which the receiver's records now stand for and
         * which may be gone already (Note [Tasks with dependences described
         * in the hand-off], task_deps.c) */
        if (h.desc && !(h.d.flags & HSOMP_TASK_DEPEND))
          for (struct hsomp_task *r = first; r; r = next) {
            next = r->handed_next;
            tk->record_free(r);
          }
      } else { /* they all stopped waiting meanwhile */
        if (h.batch) /* Note [Completion signalled per batch] (task_deps.c) */
          hsomp_deps_batch_fns(first->parent)->batch_back(h.batch, first);
        ops->put_back(tk, dq, first, current); /* Note [A task not handed goes back where it was] */
      }
    }
  }
  uint32_t want = hsomp_deque_size(dq) >= keep + batch || (look && !handed && !waiting);
  if (atomic_load_explicit(&dq->advert, memory_order_relaxed) != want)
    atomic_store_explicit(&dq->advert, want, memory_order_relaxed);
  return handed;
}

/* Note [The receiver takes its word's line]
 * A waiting thread looks at its hand-off word at every look for work.
 * While the word is open, its line is the thread's own (it wrote it last,
 * opening the word).  A hand-off moves the line to the thread that hands
 * (its CAS, and for a description its stores), and a load by the receiver
 * then takes it shared: the receiver's next write to its word -- reopening
 * it when it waits again, or closing it when it stops -- must take the
 * line from the hander's copy once more.  Three transfers a hand-off on
 * that line, two of them the receiver's.  So a receiver asks for its
 * word's line exclusively before it looks (hsomp_prefetch_for_write, a
 * hint, as in task_deps.c): the look after a hand-off costs the one
 * transfer the load did, the reopening and the close that follow are hits,
 * and a look at an unchanged word the thread still holds costs nothing.
 * But a thread that reads the word without writing it takes the line
 * shared, and the receiver's next look then takes it back: a producer
 * handing batches to waiting threads reads their words before it hands
 * (Note [Sticky waiting bits]), and its looks at the words it then does
 * not hand to cost a transfer more each (in the model at 64 threads, in
 * one process as scale_bounds runs them, task dependences 507 -> 616
 * transfers, task steal 354 -> 409, when every look took the line).  So
 * only a receiver whose last hand-off came without a look at its word -- a
 * task's child from its designated hander or a claim in its place, which
 * write the word without reading it first (HSOMP_HAND_INLINE or
 * HSOMP_HAND_PLACE in the value) -- takes the line (`looks_take_line'); a
 * batch from a producer (a description, a chain of records) turns it off
 * again.  In the coherence model (README "Scale"), with the moved child's
 * completion signalled in its parent's count as before issue 19's sixth
 * task round (which signalled it in this word, read there by the waiting
 * parent while the child ran, so that every look took the line back from
 * it: the tree at 256 threads 2411 with a prefetch at every look, 2104
 * without), the tree at 256 threads 2184 -> 1925 transfers a round (7.5N,
 * under N log2 N), at 64 568 -> 513; task steal and dependences as before. */
struct hsomp_task *hsomp_task_handed(struct hsomp_thread *self, struct hsomp_team *team,
                                     struct hsomp_tasking *tk, unsigned me) {
  struct hsomp_task_member *mine = &tk->member[me];
  if (mine->looks_take_line) /* Note [The receiver takes its word's line] */
    hsomp_prefetch_for_write(&mine->handoff);
  uintptr_t h = atomic_load_explicit(&mine->handoff, memory_order_acquire);
  if (h <= HSOMP_HAND_OPEN)
    return NULL;
  mine->looks_take_line = (h & (HSOMP_HAND_INLINE | HSOMP_HAND_PLACE)) != 0;
  mine->waiting = false; /* not open: closed (the task stays in the word) */
  return handed_tasks(self, team, tk, me, h); /* with its handed_next, Note [Handing tasks in pairs] */
}
