/* sim.h -- what the scale drivers (driver.c, kernels.c) ask of the
 * coherence simulator (sim.c): measurement windows.  See README "Scale". */
#ifndef HSOMP_SIM_H
#define HSOMP_SIM_H

#define HSOMP_SIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

struct sim_result {
  double transfers, critical, inval, rmw, remote, futex, us;
};

/* The modelled machine's CPUs (HSOMP_ASSUME_NCPUS, default 2). */
int sim_ncpus(void);
/* Local work of `ns` virtual nanoseconds (no memory traffic). */
void sim_delay(double ns);
/* The spin pause of the model kernels (hsomp's is hsomp_cpu_relax). */
void hsomp_sim_pause(void);
/* Start counting: transfers, chains and the caller's clock restart. */
void sim_window_begin(void);
/* Stop: the totals divided by `reps`; printed as one `scale:` line when
 * name is not NULL, stored in *out when out is not NULL. */
void sim_window_end(const char *name, int n, int reps, struct sim_result *out);

#endif
