/* settings.c -- the storage of the process-wide settings and the initial
 * ICVs (struct hsomp_settings, struct hsomp_icv in hsomp.h): written once
 * by env.c at start-up (the library constructor is thread.c's), read
 * everywhere.  A file of its own so that the
 * files env.c calls (env_places.c, env_display.c) do not call back. */
#include "hsomp.h"

struct hsomp_settings hsomp_settings;
struct hsomp_icv hsomp_initial_icv;
