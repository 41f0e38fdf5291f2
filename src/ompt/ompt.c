/* ompt.c -- the OMPT tool interface (OpenMP 5.1, 4.2-4.6): finding and
 * starting a tool, the entry points it reaches through the lookup
 * function (callback registration and the inquiry functions), and its
 * finalization.  The events themselves are emitted by ompt_events.c.
 *
 * Tool discovery (OpenMP 5.1, 4.2.1, 6.19-6.21): unless OMP_TOOL=disabled,
 * the runtime calls the ompt_start_tool the process already has (the
 * program's, or a library's it loaded), then tries each library of the
 * colon-separated OMP_TOOL_LIBRARIES in order; the first non-NULL result
 * is the tool.  OMP_TOOL_VERBOSE_INIT=stdout|stderr|FILE logs the search. */
#include "ompt_internal.h"

#include <dlfcn.h>
#include <omp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static ompt_start_tool_result_t *tool;
static FILE *verbose_out; /* OMP_TOOL_VERBOSE_INIT; NULL: quiet */
static _Atomic uint64_t next_unique_id = 1;

/* A program linked against hsomp that defines ompt_start_tool overrides
 * this one (and the linker exports it so that the runtime can find it).
 * The runtime's own reference to the name would bind to the override:
 * `no_tool' is how it recognizes its default. */
static ompt_start_tool_result_t *no_tool(unsigned int omp_version, const char *runtime_version) {
  return NULL;
}
__attribute__((weak, alias("no_tool"))) __typeof__(no_tool) ompt_start_tool;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  if (!verbose_out)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(verbose_out, fmt, ap);
  va_end(ap);
  fflush(verbose_out);
}

static void open_verbose_log(void) {
  const char *v = getenv("OMP_TOOL_VERBOSE_INIT");
  if (!v || !*v || !strcasecmp(v, "disabled"))
    return;
  if (!strcasecmp(v, "stdout"))
    verbose_out = stdout;
  else if (!strcasecmp(v, "stderr"))
    verbose_out = stderr;
  else if (!(verbose_out = fopen(v, "w")))
    hsomp_warn("OMP_TOOL_VERBOSE_INIT: cannot open '%s' for writing; not logging", v);
}

/* ------------------------------------------------------------------ */
/* Entry points a tool reaches through the lookup function.             */

/* What ompt_set_callback answers for each event: whether hsomp ever
 * emits it for a program built by GCC (README "OMPT" lists why some
 * never occur: GCC expands them inline without a runtime call). */
static ompt_set_result_t event_support(int event) {
  switch (event) {
  case ompt_callback_thread_begin:
  case ompt_callback_thread_end:
  case ompt_callback_parallel_begin:
  case ompt_callback_parallel_end:
  case ompt_callback_task_create:
  case ompt_callback_task_schedule:
  case ompt_callback_implicit_task:
  case ompt_callback_mutex_released:
  case ompt_callback_lock_init:
  case ompt_callback_lock_destroy:
  case ompt_callback_mutex_acquire:
  case ompt_callback_mutex_acquired:
  case ompt_callback_nest_lock:
  case ompt_callback_cancel:
  case ompt_callback_dependences:
  case ompt_callback_task_dependence:
  case ompt_callback_error:
    return ompt_set_always;
  /* Loops with schedule(static) and their barriers are inlined by GCC. */
  case ompt_callback_work:
  case ompt_callback_dispatch:
  case ompt_callback_sync_region:
  case ompt_callback_sync_region_wait:
    return ompt_set_sometimes_paired;
  default: /* devices, masked/master, flush, reduction, control_tool */
    return ompt_set_never;
  }
}

static ompt_set_result_t set_callback(ompt_callbacks_t event, ompt_callback_t callback) {
  if ((int)event <= 0 || (int)event > ompt_callback_error)
    return ompt_set_error;
  ompt_set_result_t r = event_support(event);
  if (r != ompt_set_never)
    __atomic_store_n(&hsomp_ompt_callbacks[event], callback, __ATOMIC_RELEASE);
  return r;
}

static int get_callback(ompt_callbacks_t event, ompt_callback_t *callback) {
  if ((int)event <= 0 || (int)event > ompt_callback_error || !callback)
    return 0;
  ompt_callback_t cb = __atomic_load_n(&hsomp_ompt_callbacks[event], __ATOMIC_ACQUIRE);
  if (!cb)
    return 0;
  *callback = cb;
  return 1;
}

static const struct {
  int value;
  const char *name;
} states[] = {
    {ompt_state_work_serial, "ompt_state_work_serial"},
    {ompt_state_work_parallel, "ompt_state_work_parallel"},
    {ompt_state_work_reduction, "ompt_state_work_reduction"},
    {ompt_state_wait_barrier_implicit_parallel, "ompt_state_wait_barrier_implicit_parallel"},
    {ompt_state_wait_barrier_implicit_workshare, "ompt_state_wait_barrier_implicit_workshare"},
    {ompt_state_wait_barrier_explicit, "ompt_state_wait_barrier_explicit"},
    {ompt_state_wait_barrier_implementation, "ompt_state_wait_barrier_implementation"},
    {ompt_state_wait_taskwait, "ompt_state_wait_taskwait"},
    {ompt_state_wait_taskgroup, "ompt_state_wait_taskgroup"},
    {ompt_state_wait_mutex, "ompt_state_wait_mutex"},
    {ompt_state_wait_lock, "ompt_state_wait_lock"},
    {ompt_state_wait_critical, "ompt_state_wait_critical"},
    {ompt_state_wait_atomic, "ompt_state_wait_atomic"},
    {ompt_state_wait_ordered, "ompt_state_wait_ordered"},
    {ompt_state_idle, "ompt_state_idle"},
    {ompt_state_overhead, "ompt_state_overhead"},
    {ompt_state_undefined, "ompt_state_undefined"},
};
#define NSTATES (sizeof states / sizeof states[0])

/* Enumerations start from ompt_state_undefined (OpenMP 5.1, 4.6.1.1). */
static int enumerate_states(int current, int *next, const char **next_name) {
  size_t i = 0;
  if (current != ompt_state_undefined) {
    while (i < NSTATES && states[i].value != current)
      i++;
    if (i + 1 >= NSTATES - 1) /* unknown, or the last before `undefined' */
      return 0;
    i++;
  }
  *next = states[i].value;
  *next_name = states[i].name;
  return 1;
}

/* One mutex implementation: spin, then sleep on a futex (hsomp.h). */
static int enumerate_mutex_impls(int current, int *next, const char **next_name) {
  if (current != 0) /* ompt_mutex_impl_none */
    return 0;
  *next = 1;
  *next_name = "hsomp_futex_mutex";
  return 1;
}

static ompt_data_t *get_thread_data(void) {
  struct hsomp_thread *self = hsomp_tls;
  return self ? &self->ompt_thread : NULL;
}

static int get_state(ompt_wait_id_t *wait_id) {
  struct hsomp_thread *self = hsomp_tls;
  if (!self)
    return ompt_state_undefined;
  if (wait_id)
    *wait_id = (ompt_wait_id_t)(uintptr_t)self->ompt_wait_id;
  return self->ompt_state;
}

/* The team state of the region `level' levels out from the current one
 * (0: the innermost), or NULL. */
static struct hsomp_team_state *ancestor_state(struct hsomp_thread *self, int level) {
  struct hsomp_team_state *ts = &self->ts;
  for (; level > 0 && ts->team; level--)
    ts = &ts->team->parent;
  return level == 0 ? ts : NULL;
}

static int get_parallel_info(int level, ompt_data_t **parallel_data, int *team_size) {
  struct hsomp_thread *self = hsomp_tls;
  if (!self || level < 0)
    return 0;
  struct hsomp_team_state *ts = ancestor_state(self, level);
  if (!ts)
    return 0;
  if (parallel_data)
    *parallel_data = ts->team ? &ts->team->ompt_parallel : &self->ompt_initial_parallel;
  if (team_size)
    *team_size = ts->team ? (int)ts->team->nthreads : 1;
  return 2;
}

static int get_task_info(int level, int *flags, ompt_data_t **task_data, ompt_frame_t **frame,
                         ompt_data_t **parallel_data, int *thread_num) {
  struct hsomp_thread *self = hsomp_tls;
  if (!self || level < 0)
    return 0;
  /* Explicit tasks first (their parents up to the implicit task), then
   * the implicit tasks of the enclosing regions. */
  int f;
  ompt_data_t *data = hsomp_ompt_explicit_task_info(self, &level, &f);
  struct hsomp_team_state *ts = &self->ts;
  if (!data) {
    if (!(ts = ancestor_state(self, level)))
      return 0;
    data = &ts->ompt_task;
    f = ts->team ? ompt_task_implicit : ompt_task_initial;
  }
  static __thread ompt_frame_t no_frame; /* frames are not tracked */
  if (flags)
    *flags = f;
  if (task_data)
    *task_data = data;
  if (frame)
    *frame = &no_frame;
  if (parallel_data)
    *parallel_data = ts->team ? &ts->team->ompt_parallel : &self->ompt_initial_parallel;
  if (thread_num)
    *thread_num = (int)ts->team_id;
  return 2;
}

static int get_task_memory(void **addr, size_t *size, int block) { return 0; }
static int get_num_procs(void) { return (int)hsomp_settings.ncpus; }
static int get_num_places(void) { return (int)hsomp_settings.nplaces; }

static int get_place_proc_ids(int place, int ids_size, int *ids) {
  if (place < 0 || (unsigned long)place >= hsomp_settings.nplaces)
    return 0;
  int n = omp_get_place_num_procs(place);
  if (ids && n <= ids_size)
    omp_get_place_proc_ids(place, ids);
  return n;
}

static int get_place_num(void) { return hsomp_tls ? omp_get_place_num() : -1; }

static int get_partition_place_nums(int size, int *nums) {
  if (!hsomp_tls)
    return -1;
  int n = omp_get_partition_num_places();
  if (nums && n <= size)
    omp_get_partition_place_nums(nums);
  return n;
}

static int get_proc_id(void) { return sched_getcpu(); }
static int get_target_info(uint64_t *device, ompt_id_t *target, ompt_id_t *op) { return 0; }
static int get_num_devices(void) { return 0; }

static uint64_t get_unique_id(void) {
  return atomic_fetch_add_explicit(&next_unique_id, 1, memory_order_relaxed);
}

/* Note [Finalizing the tool]
 * The tool's finalizer runs once: when the tool calls ompt_finalize_tool,
 * or at process exit (this library's destructor, which runs after the
 * program's atexit handlers).  Before it, the initial thread's implicit
 * task and the thread itself end; after it no callback is made.  Workers
 * still parked then end with the process without thread-end events
 * (Note [Process exit] in team.c); retired ones report theirs. */
static void finalize_tool(void) {
  ompt_start_tool_result_t *t = __atomic_exchange_n(&tool, NULL, __ATOMIC_ACQ_REL);
  if (!t || !hsomp_ompt_enabled)
    return;
  struct hsomp_thread *self = hsomp_tls;
  if (self && !self->is_worker && !self->ts.team) {
    hsomp_ompt_host_end(self);
  }
  hsomp_host_thread_hook = NULL;
  hsomp_error_directive_hook = NULL;
  hsomp_ompt_enabled = false;
  if (t->finalize)
    t->finalize(&t->tool_data);
}

__attribute__((destructor)) static void finalize_at_exit(void) { finalize_tool(); }

static const struct {
  const char *name;
  ompt_interface_fn_t fn;
} entry_points[] = {
#define ENTRY(name, fn)                                                                            \
  { #name, (ompt_interface_fn_t)(fn) }
    ENTRY(ompt_enumerate_states, enumerate_states),
    ENTRY(ompt_enumerate_mutex_impls, enumerate_mutex_impls),
    ENTRY(ompt_set_callback, set_callback),
    ENTRY(ompt_get_callback, get_callback),
    ENTRY(ompt_get_state, get_state),
    ENTRY(ompt_get_parallel_info, get_parallel_info),
    ENTRY(ompt_get_task_info, get_task_info),
    ENTRY(ompt_get_task_memory, get_task_memory),
    ENTRY(ompt_get_thread_data, get_thread_data),
    ENTRY(ompt_get_unique_id, get_unique_id),
    ENTRY(ompt_finalize_tool, finalize_tool),
    ENTRY(ompt_get_num_procs, get_num_procs),
    ENTRY(ompt_get_num_places, get_num_places),
    ENTRY(ompt_get_place_proc_ids, get_place_proc_ids),
    ENTRY(ompt_get_place_num, get_place_num),
    ENTRY(ompt_get_partition_place_nums, get_partition_place_nums),
    ENTRY(ompt_get_proc_id, get_proc_id),
    ENTRY(ompt_get_target_info, get_target_info),
    ENTRY(ompt_get_num_devices, get_num_devices),
#undef ENTRY
};

static ompt_interface_fn_t lookup(const char *name) {
  for (size_t i = 0; name && i < sizeof entry_points / sizeof entry_points[0]; i++)
    if (!strcmp(name, entry_points[i].name))
      return entry_points[i].fn;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Start-up.                                                            */

/* Host threads other than the initial one begin and end with the records
 * thread.c makes for them (hsomp_host_thread_hook). */
static void host_thread(struct hsomp_thread *t, bool begins) {
  if (begins)
    hsomp_ompt_host_begin(t);
  else
    hsomp_ompt_host_end(t);
}

#define HSOMP_OMPT_VERSION 202011 /* OpenMP 5.1 */
#define HSOMP_RUNTIME_VERSION "hsomp 0.1 (GCC 12 libgomp ABI)"

static ompt_start_tool_result_t *try_library(const char *name) {
  say("  Opening %s... ", name);
  void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    say("failed: %s\n", dlerror());
    return NULL;
  }
  __typeof__(ompt_start_tool) *start = (__typeof__(ompt_start_tool) *)dlsym(h, "ompt_start_tool");
  if (!start) {
    say("no ompt_start_tool in it\n");
    dlclose(h);
    return NULL;
  }
  ompt_start_tool_result_t *r = start(HSOMP_OMPT_VERSION, HSOMP_RUNTIME_VERSION);
  if (!r) {
    say("its ompt_start_tool returned NULL\n");
    dlclose(h);
    return NULL;
  }
  say("success: ompt_start_tool returned a tool\n");
  return r;
}

static ompt_start_tool_result_t *find_tool(void) {
  say("hsomp: looking for an OMPT tool (OMPT 5.1)\n");
  __typeof__(ompt_start_tool) *start =
      (__typeof__(ompt_start_tool) *)dlsym(RTLD_DEFAULT, "ompt_start_tool");
  if (start && start != no_tool) {
    say("  ompt_start_tool found in the process... ");
    ompt_start_tool_result_t *r = start(HSOMP_OMPT_VERSION, HSOMP_RUNTIME_VERSION);
    say(r ? "it returned a tool\n" : "it returned NULL\n");
    if (r)
      return r;
  } else {
    say("  no ompt_start_tool in the process\n");
  }
  const char *libs = getenv("OMP_TOOL_LIBRARIES");
  if (!libs || !*libs) {
    say("  OMP_TOOL_LIBRARIES is not set\n");
    return NULL;
  }
  char *list = strdup(libs), *save = NULL;
  ompt_start_tool_result_t *r = NULL;
  for (char *name = strtok_r(list, ":", &save); name && !r; name = strtok_r(NULL, ":", &save))
    r = try_library(name);
  free(list);
  return r;
}

static void ompt_init(void) {
  const char *setting = getenv("OMP_TOOL");
  open_verbose_log();
  if (setting && !strcasecmp(setting, "disabled")) {
    say("hsomp: OMP_TOOL=disabled: no tool is looked for\n");
  } else {
    if (setting && strcasecmp(setting, "enabled"))
      hsomp_warn("OMP_TOOL='%s': expected 'enabled' or 'disabled'; using 'enabled'", setting);
    ompt_start_tool_result_t *r = find_tool();
    if (r && r->initialize) {
      tool = r;
      /* Set first: the initializer may already use the inquiry functions. */
      hsomp_ompt_enabled = true;
      if (r->initialize(lookup, 0 /* the host */, &r->tool_data)) {
        say("hsomp: the tool is initialized and uses the OMPT interface\n");
        hsomp_host_thread_hook = host_thread;
        hsomp_error_directive_hook = hsomp_ompt_error;
        if (hsomp_tls)
          hsomp_ompt_host_begin(hsomp_tls);
        else
          hsomp_self(); /* makes the record: the hook reports the thread */
      } else {
        say("hsomp: the tool's initializer returned 0: no tool\n");
        hsomp_ompt_enabled = false;
        tool = NULL;
        memset(hsomp_ompt_callbacks, 0, sizeof hsomp_ompt_callbacks);
      }
    } else {
      say("hsomp: no tool found\n");
    }
  }
  if (verbose_out && verbose_out != stdout && verbose_out != stderr)
    fclose(verbose_out);
  verbose_out = NULL;
}

/* Note [The runtime's first use] (thread.c): the tool search runs once,
 * at the runtime's first use, whether this constructor runs before the
 * library's (thread.c) or after it. */
__attribute__((constructor)) static void ompt_register(void) { hsomp_on_first_use(ompt_init); }
