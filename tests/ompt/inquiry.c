/* OMPT: the entry points a tool reaches through the lookup function --
 * callback registration answers, state and mutex enumerations, thread,
 * parallel and task data (matching what the callbacks handed out), places
 * and processors, unique ids, and ompt_finalize_tool (after it, no more
 * events). */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>

#define LOOK(type, name) ((type)tool_lookup(#name))

int main(void) {
  const char *names[] = {"ompt_enumerate_states", "ompt_enumerate_mutex_impls",
                         "ompt_set_callback", "ompt_get_callback", "ompt_get_state",
                         "ompt_get_parallel_info", "ompt_get_task_info",
                         "ompt_get_task_memory", "ompt_get_thread_data", "ompt_get_unique_id",
                         "ompt_finalize_tool", "ompt_get_num_procs", "ompt_get_num_places",
                         "ompt_get_place_proc_ids", "ompt_get_place_num",
                         "ompt_get_partition_place_nums", "ompt_get_proc_id",
                         "ompt_get_target_info", "ompt_get_num_devices"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    EXPECT(tool_lookup(names[i]) != NULL, "lookup(%s)", names[i]);
  EXPECT(tool_lookup("ompt_no_such_thing") == NULL, "lookup of an unknown name is NULL");

  EXPECT(set_results[ompt_callback_thread_begin] == ompt_set_always, "thread_begin: always");
  EXPECT(set_results[ompt_callback_work] == ompt_set_sometimes_paired, "work: sometimes paired");
  EXPECT(set_callback(ompt_callback_masked, (ompt_callback_t)on_work) == ompt_set_never,
         "masked: never (GCC inlines it)");
  EXPECT(set_callback((ompt_callbacks_t)999, (ompt_callback_t)on_work) == ompt_set_error,
         "an unknown event is an error");
  ompt_callback_t cb = NULL;
  EXPECT(LOOK(ompt_get_callback_t, ompt_get_callback)(ompt_callback_work, &cb) == 1 &&
             cb == (ompt_callback_t)on_work,
         "get_callback returns the registered callback");
  EXPECT(LOOK(ompt_get_callback_t, ompt_get_callback)(ompt_callback_masked, &cb) == 0,
         "get_callback of an unregistered event");

  ompt_enumerate_states_t states = LOOK(ompt_enumerate_states_t, ompt_enumerate_states);
  int state = ompt_state_undefined, nstates = 0, saw_parallel = 0;
  const char *name;
  while (states(state, &state, &name) && nstates < 100) {
    nstates++;
    saw_parallel |= state == ompt_state_work_parallel && !strcmp(name, "ompt_state_work_parallel");
  }
  EXPECT(nstates >= 10 && nstates < 100 && saw_parallel, "%d states enumerated", nstates);
  int impl = 0;
  EXPECT(LOOK(ompt_enumerate_mutex_impls_t, ompt_enumerate_mutex_impls)(0, &impl, &name) == 1 &&
             impl != 0,
         "a mutex implementation");

  ompt_get_state_t get_state = LOOK(ompt_get_state_t, ompt_get_state);
  ompt_get_parallel_info_t parallel_info = LOOK(ompt_get_parallel_info_t, ompt_get_parallel_info);
  ompt_get_task_info_t task_info = LOOK(ompt_get_task_info_t, ompt_get_task_info);
  ompt_wait_id_t wait;
  EXPECT(get_state(&wait) == ompt_state_work_serial, "serial state outside parallel");
  int size = -1, flags = 0;
  ompt_data_t *pd = NULL, *td = NULL;
  EXPECT(parallel_info(0, &pd, &size) == 2 && size == 1, "the initial region has one thread");
  EXPECT(parallel_info(1, &pd, &size) == 0, "nothing outside the initial region");
  EXPECT(task_info(0, &flags, &td, NULL, NULL, NULL) == 2 && (flags & ompt_task_initial),
         "the initial task");

  int bad = 0;
  uint64_t thread_values[4] = {0};
#pragma omp parallel num_threads(4) reduction(+ : bad)
  {
    int me = omp_get_thread_num();
    ompt_data_t *p = NULL, *t = NULL, *tp = NULL;
    int n = 0, f = 0, tn = -1;
    bad += get_state(NULL) != ompt_state_work_parallel;
    bad += parallel_info(0, &p, &n) != 2 || n != 4;
    bad += task_info(0, &f, &t, NULL, &tp, &tn) != 2 || !(f & ompt_task_implicit) || tn != me ||
           tp != p;
    /* The data the callbacks were given. */
    int found = 0;
    pthread_mutex_lock(&events_lock);
    for (int i = 0; i < nevents; i++)
      found |= events[i].kind == EV_IMPLICIT_TASK && events[i].endpoint == ompt_scope_begin &&
               events[i].data == t->value && events[i].data2 == p->value;
    pthread_mutex_unlock(&events_lock);
    bad += !found;
    ompt_data_t *outer = NULL;
    bad += parallel_info(1, &outer, &n) != 2 || n != 1;
    thread_values[me] = get_thread_data()->value;
  }
  EXPECT(bad == 0, "%d inquiry mismatches inside a region", bad);
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < i; j++)
      EXPECT(thread_values[i] && thread_values[i] != thread_values[j], "distinct thread data");
  EXPECT(get_state(NULL) == ompt_state_work_serial, "serial again after the region");

  EXPECT(LOOK(ompt_get_num_procs_t, ompt_get_num_procs)() == omp_get_num_procs(), "num_procs");
  EXPECT(LOOK(ompt_get_num_places_t, ompt_get_num_places)() == omp_get_num_places(),
         "num_places");
  EXPECT(LOOK(ompt_get_proc_id_t, ompt_get_proc_id)() >= 0, "proc_id");
  uint64_t a = get_unique_id(), b = get_unique_id();
  EXPECT(b > a, "unique ids increase");

  LOOK(ompt_finalize_tool_t, ompt_finalize_tool)();
  EXPECT(tool_finalized, "the tool is finalized");
  EXPECT(count_from(0, EV_THREAD_END, ANY, ANY) == 1, "the initial thread ended with the tool");
  int m = mark();
#pragma omp parallel num_threads(2)
  __asm__ volatile("");
  EXPECT(mark() == m, "no events after ompt_finalize_tool");
  return finish("ompt.inquiry", 0);
}
