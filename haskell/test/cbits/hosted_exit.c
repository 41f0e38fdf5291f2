/* hosted_exit.c -- the C main of the hosted-exit test program
 * (test/HostedExit.hs): hosts Haskell with hs_init, runs regions whose
 * worker threads call back into Haskell (so the workers start their
 * callback servers), then ends Haskell with hs_exit() itself and exits.
 * A watchdog fails the program (exit 3) if hs_exit has not returned
 * within 10 s: GHC's hs_exit waits for threads in safe foreign calls, and
 * an idle server waits in one. */
#include <HsFFI.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long hosted_callbacks(int nthreads, long per_thread);
long hosted_servers(void);

static void *watchdog(void *arg) {
  (void)arg;
  sleep(10);
  static const char msg[] = "hosted-exit: hs_exit() did not return within 10 s\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(3);
}

int main(int argc, char **argv) {
  hs_init(&argc, &argv);
  long calls = hosted_callbacks(3, 300);
  long servers = hosted_servers();
  if (calls != 2 * 3 * 300 || servers < 2) {
    fprintf(stderr, "hosted-exit: %ld callbacks (expected %d), %ld servers (expected >= 2)\n",
            calls, 2 * 3 * 300, servers);
    return 2;
  }
  pthread_t t;
  if (pthread_create(&t, NULL, watchdog, NULL) != 0)
    return 2;
  hs_exit();
  printf("hs_exit returned after %ld callbacks on %ld servers\n", calls, servers);
  return 0;
}
