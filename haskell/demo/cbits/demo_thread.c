/* demo_thread.c -- the calling OS thread's name, for the demo's team table
 * (hsomp names its pool workers "hsomp-w<w>"). */
#include <string.h>
#include <sys/prctl.h>

/* Writes the name (at most 15 characters and a NUL) into out[16]. */
void demo_thread_name(char *out) {
  memset(out, 0, 16);
  if (prctl(PR_GET_NAME, out, 0, 0, 0) != 0)
    strcpy(out, "?");
}
