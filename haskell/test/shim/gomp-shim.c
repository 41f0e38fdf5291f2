/* gomp-shim.c -- a library named libgomp.so.1 with libgomp's version
 * nodes (gomp-shim.map) and no code.  Loaded before a C library built
 * against libgomp, it satisfies that library's DT_NEEDED and version
 * checks, while every GOMP_* / omp_* reference binds to the hsomp runtime
 * exported by the Haskell program.  See test/cbits/blas_demo.c. */
int hsomp_gomp_shim = 1;
