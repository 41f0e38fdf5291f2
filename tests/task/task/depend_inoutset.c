/* depend_dag.c with inoutset dependences as well (depobj objects of kind
 * 5, which GCC 12 cannot write in a depend clause and libgomp 12 rejects):
 * members of one inoutset run concurrently (atomic adds), and order after
 * and before in, out, inout and mutexinoutset tasks. */
// TEST-HSOMP-ONLY
// TEST-TIMEOUT: 120
#define WITH_INOUTSET 1
#include "depend_dag.c"
