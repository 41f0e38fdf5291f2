#!/usr/bin/env python3
"""trace_runtimes.py BUILD_DIR ROUNDS PROG... -- where the threads of marked task
programs spend a region (taskapps_trace.h), on libgomp, LLVM's libomp and hsomp
(BUILD_DIR/gomp), the runtimes taking turns process by process (order rotated every
round), 2 threads unless OMP_NUM_THREADS says otherwise.  Per program and runtime,
medians over every timed run: the region's wall time, the CPU time of user code
(summed over the threads), idle (the share of threads x wall outside user code: the
runtime's) and preempted (the share of user code's wall time off the CPU: the
machine's load)."""
import glob, os, statistics, subprocess, sys

build, rounds, progs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
binary = os.path.join(build, 'bench', 'hsomp-taskapps-trace')
libomp = (glob.glob('/usr/lib/llvm-*/lib/libomp.so') + glob.glob('/usr/lib/x86_64-linux-gnu/libomp.so*') + [None])[0]
runtimes = [('libgomp', {}), ('hsomp', {'LD_LIBRARY_PATH': os.path.join(build, 'gomp')})]
if libomp:
    runtimes.insert(1, ('libomp', {'LD_PRELOAD': libomp}))
runs = {}
for r in range(rounds):
    k = r % len(runtimes)
    for prog in progs:
        for name, extra in runtimes[k:] + runtimes[:k]:
            env = dict(os.environ, **extra)
            env.setdefault('OMP_NUM_THREADS', '2')
            out = subprocess.run([binary, prog, '--reps', '3'], env=env, capture_output=True, text=True,
                                 timeout=600).stdout
            for line in out.splitlines():
                f = line.split()
                if len(f) > 12 and f[0] == 'TRACE':
                    v = dict(zip(f[3:12:2], map(float, f[4:13:2])))
                    runs.setdefault((prog, name), []).append(v)
print('%-16s %-8s %9s %9s %12s %7s %10s' % ('program', 'runtime', 'wall ms', 'best ms', 'user cpu ms', 'idle %',
                                             'preempt %'))
for prog in progs:
    for name, _ in runtimes:
        vs = runs.get((prog, name))
        if not vs:
            print('%-16s %-8s (no marked task bodies, or no runs)' % (prog, name))
            continue
        med = lambda key: statistics.median(v[key] for v in vs)
        print('%-16s %-8s %9.1f %9.1f %12.1f %7.2f %10.2f' % (prog, name, med('wall_ms'), min(v['wall_ms'] for v in vs),
                                                            med('user_cpu_ms'), med('idle_pct'), med('preempted_pct')))
