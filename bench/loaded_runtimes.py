#!/usr/bin/env python3
"""loaded_runtimes.py -- the task programs on a machine loaded by a controlled
competitor (bench/competitor.c), on libgomp, LLVM's libomp and one or more hsomp
libraries, the runtimes taking turns process by process.

    loaded_runtimes.py BUILD_DIR [--rounds N] [--reps N] [--threads T]
        [--conditions quiet,busy1,busy2,yield2,...] [--hsomp NAME=LIBDIR ...]
        [--trace] [--csv FILE] PROG...

A condition is `quiet` (no competitor) or a competitor kind and count: busyK,
burstyK, yieldK, pingpongK (hsomp-bench-competitor --busy K, ...; in a session
of its own, like another user's job; a trailing `s`, e.g. busy1s, keeps it in
ours).  Each process of a program runs under one
condition with a fresh competitor, started 0.2 s before the program and
stopped right after it, so that the competitor's throughput while a runtime
ran is that runtime's (how much of the machine it left to the other user).
A round runs every condition x program x runtime once; the conditions' and
runtimes' orders rotate every round.  hsomp runs through LD_LIBRARY_PATH
(as hsomp-run does): `--hsomp main=/tmp/x/gomp` adds a library; without
--hsomp, BUILD_DIR/gomp is `hsomp`.

Per condition and program: each runtime's median of the processes' medians
and its best run (ms), the ratio of each hsomp to the better peer (median |
best), its wins (rounds in which its process median beat both peers'); the
processes' CPU time per wall time and involuntary context switches per
second (from wait4), and the competitor's work rate relative to its rate
with no OpenMP program running (measured at the start of every round).  With --trace the
programs run from hsomp-taskapps-trace and the marked ones (STRASSEN, FFT,
NQUEENS, NQUEENS_CUTOFF, ALIGNMENT) add the idle and preempted shares of
bench/taskapps/trace_runtimes.py."""
import argparse
import csv
import glob
import os
import signal
import statistics
import subprocess
import sys
import time


def find_libomp():
    for pattern in ["/usr/lib/llvm-*/lib/libomp.so.5", "/usr/lib/*/libomp.so.5",
                    "/usr/lib/llvm-*/lib/libomp.so"]:
        hits = sorted(glob.glob(pattern))
        if hits:
            return hits[-1]
    return None


def clean_env():
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("OMP_", "GOMP_", "KMP_", "GHCRTS", "HSOMP_"))
            and k not in ("LD_PRELOAD", "LD_LIBRARY_PATH")}


def competitor_args(cond):
    if cond == "quiet":
        return None
    same = cond.endswith("s") and cond[-2:-1].isdigit()
    c = cond[:-1] if same else cond
    for kind in ("busy", "bursty", "yield", "pingpong"):
        if c.startswith(kind) and c[len(kind):].isdigit():
            return ["--" + kind, c[len(kind):]] + (["--same-session"] if same else [])
    sys.exit("loaded_runtimes.py: unknown condition %r" % cond)


def start_competitor(binary, cond):
    args = competitor_args(cond)
    if args is None:
        return None
    # A short life: a competitor its driver lost (killed, timed out) ends soon.
    p = subprocess.Popen([binary] + args + ["--seconds", "90"], stdout=subprocess.PIPE,
                         text=True, env=clean_env())
    time.sleep(0.2)
    return p


def stop_competitor(p):
    """The competitor's work rate (units/s summed over its processes)."""
    if p is None:
        return None
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate(timeout=60)
    rate = 0.0
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 9 and f[0] == "COMPETITOR":
            rate += float(f[8])
    return rate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("progs", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--conditions", default="quiet,busy1,busy2,yield2")
    ap.add_argument("--hsomp", action="append", default=[])
    ap.add_argument("--no-peers", action="store_true", help="only the hsomp libraries")
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--csv")
    ap.add_argument("--budget", type=float, default=420,
                    help="seconds: start no process after this (then report the rounds done)")
    a = ap.parse_args()
    # A driver stopped from outside still stops its competitor (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("loaded_runtimes.py: terminated"))

    bench = os.path.join(a.build, "bench")
    binary = os.path.join(bench, "hsomp-taskapps-trace" if a.trace else "hsomp-taskapps")
    competitor = os.path.join(bench, "hsomp-bench-competitor")
    runtimes = [] if a.no_peers else [("libgomp", {})]
    libomp = find_libomp()
    if libomp and not a.no_peers:
        runtimes.append(("libomp", {"LD_PRELOAD": libomp}))
    hsomps = [h.split("=", 1) for h in a.hsomp] or [["hsomp", os.path.join(a.build, "gomp")]]
    for name, libdir in hsomps:
        runtimes.append((name, {"LD_LIBRARY_PATH": os.path.abspath(libdir)}))
    conditions = a.conditions.split(",")

    procs = []  # dicts per process
    alone = {}
    t_start = time.time()
    out_csv = open(a.csv, "w", newline="") if a.csv else None
    writer = None
    for r in range(a.rounds):
        if time.time() - t_start > a.budget:
            break
        # The competitor's rate with nothing else of ours running, every round
        # (other users' load changes it).
        for cond in conditions:
            if cond != "quiet":
                p = start_competitor(competitor, cond)
                time.sleep(1.0)
                alone[cond] = stop_competitor(p)
        conds = conditions[r % len(conditions):] + conditions[:r % len(conditions)]
        k = r % len(runtimes)
        order = runtimes[k:] + runtimes[:k]
        for cond in conds:
            for prog in a.progs:
                for name, extra in order:
                    env = clean_env()
                    env["OMP_NUM_THREADS"] = str(a.threads)
                    env.update(extra)
                    if time.time() - t_start > a.budget:
                        break
                    comp = start_competitor(competitor, cond)
                    try:
                        t0 = time.monotonic()
                        p = subprocess.Popen([binary, prog, "--reps", str(a.reps)], stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, env=env, text=True)
                        out, err = p.stdout.read(), p.stderr.read()
                        _, status, ru = os.wait4(p.pid, 0)
                        wall = time.monotonic() - t0
                        p.returncode = status
                        p.stdout.close()
                        p.stderr.close()
                    finally:
                        rate = stop_competitor(comp)
                    if status != 0:
                        sys.exit("loaded_runtimes.py: %s on %s failed: %s" % (prog, name, err))
                    samples, traces = [], []
                    for line in out.splitlines():
                        f = line.split()
                        if len(f) > 4 and f[0] == "SAMPLES" and f[1] == "taskapps":
                            samples = [float(x) for x in f[4:]]
                        if len(f) > 12 and f[0] == "TRACE":
                            traces.append(dict(zip(f[3:12:2], map(float, f[4:13:2]))))
                    procs.append(dict(round=r, condition=cond, prog=prog, runtime=name,
                                      median_ms=statistics.median(samples), best_ms=min(samples),
                                      cpu_per_wall=(ru.ru_utime + ru.ru_stime) / wall,
                                      nivcsw_per_s=ru.ru_nivcsw / wall, nvcsw_per_s=ru.ru_nvcsw / wall,
                                      competitor=(rate / alone[cond]) if rate is not None else None,
                                      idle_pct=statistics.median(t["idle_pct"] for t in traces) if traces else None,
                                      preempted_pct=statistics.median(t["preempted_pct"] for t in traces) if traces else None,
                                      user_cpu_ms=statistics.median(t["user_cpu_ms"] for t in traces) if traces else None,
                                      samples=samples))
                    if out_csv:
                        if writer is None:
                            writer = csv.DictWriter(out_csv, fieldnames=list(procs[-1].keys()))
                            writer.writeheader()
                        writer.writerow(procs[-1])
                        out_csv.flush()
        print("round %d done at +%.0f s (load %s)" % (r + 1, time.time() - t_start,
                                                      open("/proc/loadavg").read().split()[0]),
              file=sys.stderr, flush=True)

    report(procs, runtimes, conditions, a)


def report(procs, runtimes, conditions, a):
    names = [n for n, _ in runtimes]
    peers = [n for n in names if n in ("libgomp", "libomp")]
    hs = [n for n in names if n not in peers]
    fmt = lambda x: ("%.3g" % x) if x < 100 else ("%.0f" % x)
    for cond in conditions:
        cps = [p for p in procs if p["condition"] == cond]
        if not cps:
            continue
        print("\n== %s (up to %d rounds x %d runs, %d threads)" % (cond, a.rounds, a.reps, a.threads))
        head = ["program"] + names + (["%s/peer med|best wins" % h for h in hs] if peers else [])
        print(" | ".join(head))
        for prog in a.progs:
            # Only rounds in which every runtime ran this program.
            by_round = {}
            for p in cps:
                if p["prog"] == prog:
                    by_round.setdefault(p["round"], {})[p["runtime"]] = p
            full = [m for m in by_round.values() if len(m) == len(names)]
            if not full:
                continue
            med = {n: statistics.median(m[n]["median_ms"] for m in full) for n in names}
            best = {n: min(m[n]["best_ms"] for m in full) for n in names}
            cells = [prog] + ["%s|%s" % (fmt(med[n]), fmt(best[n])) for n in names]
            if peers:
                for h in hs:
                    wins = sum(all(m[h]["median_ms"] < m[q]["median_ms"] for q in peers) for m in full)
                    cells.append("%.2f|%.2f %d/%d" % (med[h] / min(med[q] for q in peers),
                                                      best[h] / min(best[q] for q in peers), wins, len(full)))
            print(" | ".join(cells))
        print("  per runtime, medians over the processes: cpu/wall, involuntary switches/s, competitor's rate vs alone"
              + (", idle %, preempted %, user cpu ms (marked programs)" if a.trace else ""))
        for n in names:
            ps = [p for p in cps if p["runtime"] == n]
            if not ps:
                continue
            comp = [p["competitor"] for p in ps if p["competitor"] is not None]
            print("  %-8s cpu/wall %.2f  invol/s %.0f  competitor %s" % (
                n, statistics.median(p["cpu_per_wall"] for p in ps),
                statistics.median(p["nivcsw_per_s"] for p in ps),
                "%.2f" % statistics.median(comp) if comp else "-"))
            if a.trace:
                for prog in a.progs:
                    pp = [p for p in ps if p["prog"] == prog and p["idle_pct"] is not None]
                    if pp:
                        print("    %-16s idle %.2f %%  preempted %.2f %%  user cpu %.1f ms" % (
                            prog, statistics.median(p["idle_pct"] for p in pp),
                            statistics.median(p["preempted_pct"] for p in pp),
                            statistics.median(p["user_cpu_ms"] for p in pp)))


if __name__ == "__main__":
    main()
