#!/usr/bin/env python3
"""run-bench.py -- run hsomp's benchmark suite on libgomp, LLVM's libomp and
hsomp, interleaved, and report.

    run-bench.py BUILD_DIR [--quick] [--rounds N] [--only GROUP,...]
                 [--programs NAME,...] [--out DIR] [--publish DIR] [--no-placement]
                 [--placement-threshold NS]
    run-bench.py RESULTS.json --replot svg|png     (charts only)
    run-bench.py RESULTS.json [MORE.json ...] --tables [--out DIR]
                 [--placement-threshold NS]
                 (the tables again from the processes' records, several
                 runs merged into one, e.g. --only subsets run apart)

BUILD_DIR is a CMake build tree of hsomp (bench/manifest.txt names the
programs).  Every benchmark is one ordinary gcc -fopenmp binary, run as is
on libgomp, with LD_PRELOAD=libomp.so.5 on LLVM's libomp, and through
hsomp-run on hsomp.  For each benchmark the three runtimes take turns
(round r starts with runtime r mod 3), so a change in the machine's load
hits all three alike.  Each process prints SAMPLES lines (bench/bench.h);
the samples of all rounds are pooled per runtime and reported as median
and median absolute deviation.  Overheads also get a "best" figure: the
fastest test loop minus the fastest reference loop of a process (median
over the processes), which estimates the overhead on a quiet machine;
interference from other processes only ever adds time.  Two ratios
hsomp / best other: of the medians and of the best figures.

Placement (see Note [Placement] below): before and after every timed
process the driver runs bench/placement.c's probe, the round trip of a
cache line between two threads pinned to two CPUs, records both with the
process, classes the process near, far or mixed, and shows next to the
ratios of all processes the ratios of near-only and far-only processes
and how many processes of each runtime fell in each class.
--no-placement skips the probe (and those columns).

--programs picks task programs of group taskapps (default all).  On
SIGTERM or Ctrl-C (a measurement window's `timeout`) the driver stops the
running process and reports the processes done so far, marked
interrupted.

Writes OUT/results.csv, OUT/results.json (with every process's record:
runtime, round, round trips, values), OUT/results.md (the tables in
Markdown) and OUT/<chart>.svg (gnuplot);
--publish DIR also copies the charts there (docs/bench for the README).
"""
import argparse
import datetime
import glob
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time

RUNTIMES = ["libgomp", "libomp", "hsomp"]

GROUP_TITLES = {
    "sync": "Synchronisation constructs, overhead per construct (us), {t} threads",
    "schedule": "Worksharing loop schedules, overhead per loop of 128 iterations/thread (us), {t} threads",
    "tasks": "Tasks, overhead per task (us) / Fibonacci run time (ms), {t} threads",
    "oversub": "Oversubscription: 4 and 8 threads on {ncpu} CPUs, overhead per construct (us)",
    "onethread": "One thread: the runtimes' own path lengths, overhead per construct (us)",
    "teamsize": "Changing team sizes 1,2,3,1,2,3..., overhead per region (us)",
    "idle": "Idle burn: a short region every 10 ms, CPU time / wall time (%), {t} threads",
    "crowded": "Crowded process: one region of 5000 threads, 13-deep nesting of teams of 2 (ms)",
    "kernels": "Real kernels, time per run (ms), {t} threads",
    "taskapps": "Task workloads (bench/taskapps), time per run (ms), {t} threads",
}


def find_libomp():
    for pattern in ["/usr/lib/llvm-*/lib/libomp.so.5", "/usr/lib/*/libomp.so.5"]:
        hits = sorted(glob.glob(pattern))
        if hits:
            return hits[-1]
    return None


def read_manifest(build):
    path = os.path.join(build, "bench", "manifest.txt")
    manifest = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                manifest[k] = v
    return manifest


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMP_", "GOMP_", "KMP_", "GHCRTS"))
           and k not in ("LD_PRELOAD", "LD_LIBRARY_PATH")}
    return env


def command_for(runtime, argv, manifest, libomp, threads, extra_env):
    env = clean_env()
    env["OMP_NUM_THREADS"] = str(threads)
    env.update(extra_env)
    if runtime == "libomp":
        env["LD_PRELOAD"] = libomp
        return argv, env
    if runtime == "hsomp":
        return [manifest["hsomp_run"], "--"] + argv, env
    return argv, env


def jobs(manifest, quick, nthreads, ncpus):
    """(group, argv, threads, rename, parse) for every benchmark process."""
    q = ["--quick"] if quick else []
    b = manifest["bench"]
    out = [
        ("sync", [b, "sync"] + q, nthreads, None, "samples"),
        ("schedule", [b, "schedule"] + q, nthreads, None, "samples"),
        ("tasks", [b, "tasks"] + q, nthreads, None, "samples"),
    ]
    for t in (4, 8):
        out.append(("oversub", [b, "sync", "--only", "PARALLEL,BARRIER,FOR,SINGLE"] + q, t,
                    "{name}@%dt" % t, "samples"))
    # One thread: no hand-offs, so what is left is each runtime's own path
    # length, whatever the machine's load.
    out += [
        ("onethread", [b, "sync"] + q, 1, "{name}@1t", "samples"),
        ("onethread", [b, "schedule", "--only", "STATIC_1,DYNAMIC_1,DYNAMIC_8,GUIDED_1"] + q, 1,
         "{name}@1t", "samples"),
        ("onethread", [b, "tasks", "--only",
                       "PARALLEL_TASK,TASKWAIT,TASK_BARRIER,NESTED_TASK,CONDITIONAL_TASK"] + q, 1,
         "{name}@1t", "samples"),
    ]
    out += [
        ("teamsize", [b, "teamsize"] + q, 3, None, "samples"),
        ("idle", [b, "idle"] + q, nthreads, None, "samples"),
        ("crowded", [b, "crowded"] + q, nthreads, None, "samples"),
        ("kernels", [b, "naive_dgemm"] + q, nthreads, None, "samples"),
    ]
    # Task workloads: one process per program, so that the runtimes take
    # turns program by program.
    if "taskapps" in manifest:
        listing = subprocess.run([manifest["taskapps"], "--list"], capture_output=True, text=True,
                                 env=clean_env()).stdout
        for line in listing.splitlines():
            name = line.split("\t")[0]
            out.append(("taskapps", [manifest["taskapps"], name] + (["--reps", "3"] if quick else []),
                        nthreads, None, "samples"))
    for k in ("stencil", "dgemm"):
        if "kernel_" + k in manifest:
            out.append(("kernels", [manifest["kernel_" + k]], nthreads,
                        ("STENCIL" if k == "stencil" else "OPENBLAS_DGEMM"), "time"))
    return out


def parse(output, group, rename, how):
    """[(name, unit, [values])] from one process's output."""
    found = []
    for line in output.splitlines():
        parts = line.split()
        if how == "samples" and len(parts) >= 5 and parts[0] in ("SAMPLES", "BEST"):
            name = parts[2]
            if rename:
                name = rename.format(name=name)
            if parts[0] == "BEST":
                name = "best:" + name
            found.append((name, parts[3], [float(x) for x in parts[4:]]))
        elif how == "time" and len(parts) == 2 and parts[0] == "TIME":
            found.append((rename, "ms", [float(parts[1]) * 1e3]))
    return found


def ratio_of(meds):
    others = [meds[r] for r in ("libgomp", "libomp") if r in meds]
    if "hsomp" not in meds or not others:
        return "-"
    best = min(others)
    if best <= 0:
        return "n/a"
    if meds["hsomp"] < 0:
        return "<0"
    return "%.2f" % (meds["hsomp"] / best)


def geomean_ratio(stats, names, key, all_three=False):
    """(geometric mean of hsomp / best other over the task programs, how
    many programs it covers) for `key' (median or best), or (None, 0);
    with all_three, only programs where all three runtimes have numbers."""
    logs = []
    for n in names:
        vals = {rt: stats[("taskapps", n, rt)][key] for rt in RUNTIMES
                if ("taskapps", n, rt) in stats and stats[("taskapps", n, rt)][key] is not None}
        if all_three and len(vals) < len(RUNTIMES):
            continue
        others = [vals[r] for r in ("libgomp", "libomp") if r in vals]
        if "hsomp" in vals and others and min(others) > 0 and vals["hsomp"] > 0:
            logs.append(math.log(vals["hsomp"] / min(others)))
    return (math.exp(sum(logs) / len(logs)), len(logs)) if logs else (None, 0)


def geomean_line(stats, names):
    """The geometric mean of hsomp / best other over a group's programs."""
    out = []
    for key in ("median", "best"):
        gm, _ = geomean_ratio(stats, names, key)
        if gm is not None:
            out.append("%s %.2f" % (key, gm))
    return "%-18s geometric mean of the ratios: %s" % ("", ", ".join(out) if out else "-")


# Note [Placement]
# ~~~~~~~~~~~~~~~~
# This project's VM has two vCPUs that the host places near each other or
# far apart, and it changes that over minutes (README "Task workloads",
# sixth pass (c) and seventh pass (a)).  A process that runs while they are
# far is slower on every runtime, so when one runtime's processes happen to
# run far and another's near, a ratio of their medians measures the host.
# hsomp-bench-placement (bench/placement.c) prints the round trip of one
# cache line between two threads pinned to the two CPUs (median over ~4000
# round trips, a few ms); the driver runs it right before and right after
# each timed process.  A process is `near` when both probes are below the
# threshold, `far` when both are at or above it, `mixed` when they differ
# (the host moved the CPUs during the process: left out of both classes)
# and `unknown` without probes.
#
# The threshold comes from the run's own probes: sorted on a log scale,
# they are split in two where the split separates them best (Otsu's
# method: the largest between-group variance of the logarithms).  If the
# two groups' geometric means differ by at least SPLIT_FACTOR, the
# threshold is the geometric mean of the two probes on either side of the
# split; else the run saw one placement only, and FALLBACK_THRESHOLD_NS
# classes all of its processes.  On 4 December (an Intel Xeon VM) this
# probe read 47-225 ns in about 1100 probes over an hour, all near; the
# sixth pass's far placement made a ping-pong 4-5x slower than near
# (300-350 against 50-90 ns, timed another way, inside the benchmark
# process), so far should read 450 ns or more here, and 250 lies between.
# Otsu's criterion favours balanced splits: a lone outlier (the one 47 ns
# reading) does not split a run's probes; a minority of far ones does.
# --placement-threshold overrides both.
SPLIT_FACTOR = 2.0
FALLBACK_THRESHOLD_NS = 250.0
PLACEMENTS = ("near", "far", "mixed", "unknown")


def probe_placement(probe):
    """The probe's round trip now (ns), or None (no probe, or it failed)."""
    if not probe:
        return None
    try:
        p = subprocess.run([probe], capture_output=True, text=True, timeout=15, env=clean_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in p.stdout.splitlines():
        parts = line.split()
        if p.returncode == 0 and len(parts) >= 3 and parts[:2] == ["PLACEMENT", "round_trip_ns"]:
            try:
                return float(parts[2])
            except ValueError:
                return None
    return None


def placement_threshold(values):
    """(threshold in ns, how it was found) from a run's probes; Note [Placement]."""
    vals = sorted(v for v in values if v is not None and v > 0)
    if len(vals) >= 2:
        logs = [math.log(v) for v in vals]
        n, total, left, split = len(logs), sum(logs), 0.0, None
        for k in range(1, n):  # below: vals[:k], above: vals[k:]
            left += logs[k - 1]
            if logs[k] == logs[k - 1]:
                continue
            lo, hi = left / k, (total - left) / (n - k)
            between = k * (n - k) * (hi - lo) ** 2
            if split is None or between > split[0]:
                split = (between, k, lo, hi)
        if split and split[3] - split[2] >= math.log(SPLIT_FACTOR):
            k = split[1]
            return (math.sqrt(vals[k - 1] * vals[k]),
                    "from the data: %d probes split in two groups, geometric means %.0f and %.0f ns "
                    "(largest below %.0f, smallest above %.0f)" %
                    (n, math.exp(split[2]), math.exp(split[3]), vals[k - 1], vals[k]))
    if not vals:
        return FALLBACK_THRESHOLD_NS, "no probes"
    return (FALLBACK_THRESHOLD_NS,
            "fixed: the %d probes (%.0f-%.0f ns) split into no two groups %.0fx apart" %
            (len(vals), vals[0], vals[-1], SPLIT_FACTOR))


def placement_of(run, threshold):
    """near, far, mixed or unknown: a process's class from its two probes."""
    b, a = run.get("round_trip_before"), run.get("round_trip_after")
    if b is None or a is None:
        return "unknown"
    if b < threshold and a < threshold:
        return "near"
    if b >= threshold and a >= threshold:
        return "far"
    return "mixed"


def summarise(runs):
    """(stats, units, order) of a list of process records: every value of a
    (group, name, runtime) pooled; `best` the median of the processes' BEST."""
    samples, best, units, order = {}, {}, {}, []
    for run in runs:
        group, rt = run["group"], run["runtime"]
        for name, unit, vals in run["output"]:
            if name.startswith("best:"):
                best.setdefault((group, name[5:], rt), []).extend(vals)
                continue
            key = (group, name)
            if key not in units:
                units[key] = unit
                order.append(key)
            samples.setdefault((group, name, rt), []).extend(vals)
    stats = {}
    for (group, name, rt), vals in samples.items():
        if not vals:
            continue
        med = statistics.median(vals)
        stats[(group, name, rt)] = {
            "median": med, "mad": mad(vals, med), "mean": statistics.fmean(vals),
            "sd": statistics.stdev(vals) if len(vals) > 1 else 0.0,
            "best": statistics.median(best[(group, name, rt)]) if best.get((group, name, rt)) else None,
            "min": min(vals), "max": max(vals), "n": len(vals), "samples": vals,
        }
    return stats, units, order


def matched_ratios(stats, g, n):
    """'median | best' ratio of hsomp to the better peer, or n/a unless all
    three runtimes have numbers."""
    if any((g, n, rt) not in stats for rt in RUNTIMES):
        return "n/a"
    meds = {rt: stats[(g, n, rt)]["median"] for rt in RUNTIMES}
    bests = {rt: stats[(g, n, rt)]["best"] for rt in RUNTIMES if stats[(g, n, rt)]["best"] is not None}
    if len(bests) < len(RUNTIMES):
        return ratio_of(meds)
    return "%s \\| %s" % (ratio_of(meds), ratio_of(bests))


def placement_counts(runs, threshold):
    """{(group, name, runtime): {class: processes}}"""
    counts = {}
    for run in runs:
        cls = placement_of(run, threshold)
        for name, _, _ in run["output"]:
            if not name.startswith("best:"):
                c = counts.setdefault((run["group"], name, run["runtime"]), dict.fromkeys(PLACEMENTS, 0))
                c[cls] += 1
    return counts


def placement_tables(stats, by_class, counts, probes, order, threshold, how, threads, ncpus):
    """Markdown: per group, ratios of all processes (stats), near-only and
    far-only (by_class), and each runtime's processes per class
    (counts: near/far/mixed); probes: the run's round trips."""
    out = ["**Placement-matched ratios** (Note [Placement] in bench/run-bench.py): %d probes, "
           "%s; threshold %.0f ns, %s. A process is near (far) when the probes before and after it "
           "are both below (at or above) the threshold, mixed otherwise. Ratio = hsomp / the better "
           "peer, median \\| best, from all processes, near ones only, far ones only; n/a where a "
           "runtime has no process in the class. Processes per runtime: near/far/mixed.\n" %
           (len(probes), ("%.0f-%.0f ns" % (min(probes), max(probes))) if probes else "none",
            threshold, how)]
    groups = []
    for g, _ in order:
        if g not in groups:
            groups.append(g)
    for g in groups:
        names = [n for gg, n in order if gg == g]
        out.append("**%s**, placement-matched\n" % GROUP_TITLES.get(g, g).format(t=threads, ncpu=ncpus))
        out.append("| | all | near | far | libgomp n/f/m | libomp n/f/m | hsomp n/f/m |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for n in names:
            cells = [matched_ratios(stats, g, n), matched_ratios(by_class["near"], g, n),
                     matched_ratios(by_class["far"], g, n)]
            for rt in RUNTIMES:
                c = counts.get((g, n, rt), dict.fromkeys(PLACEMENTS, 0))
                cells.append("%d/%d/%d" % (c["near"], c["far"], c["mixed"]))
            out.append("| %s | %s |" % (n, " | ".join(cells)))
        if g == "taskapps":
            geo = [geomean_of(st, names) for st in (stats, by_class["near"], by_class["far"])]
            out.append("| geometric mean (programs) | %s | | | |" % " | ".join(geo))
        out.append("")
    return "\n".join(out) + "\n"


def geomean_of(stats, names):
    """'median | best (k programs)': the geometric mean of hsomp / better
    peer over the programs where all three runtimes have numbers."""
    parts, k = [], 0
    for key in ("median", "best"):
        gm, count = geomean_ratio(stats, names, key, all_three=True)
        if gm is not None:
            parts.append("%.2f" % gm)
            k = k or count
    return "%s (%d)" % (" \\| ".join(parts), k) if parts else "n/a"


def mad(values, med):
    return statistics.median([abs(v - med) for v in values]) if values else 0.0


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def machine_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gcc = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(), "gcc": gcc}


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def gnuplot_bars(path, title, rows, ylabel, logscale, fmt_name):
    """Clustered bars: rows = [(label, {runtime: median})]."""
    data = path + ".dat"
    with open(data, "w") as f:
        f.write("label " + " ".join(RUNTIMES) + "\n")
        for label, med in rows:
            f.write(label.replace("_", "-") + " " +
                    " ".join("%g" % med[r] if med.get(r) is not None else "NaN" for r in RUNTIMES) + "\n")
    width = max(640, 90 * len(rows) + 200)
    script = f"""
{terminal(fmt_name, width, 420)}
set output '{path}'
set title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set ylabel "{ylabel}"
set grid ytics
set xtics rotate by -30
{"set logscale y" if logscale else "set yrange [*:*]"}
plot '{data}' using 2:xtic(1) title columnheader(2) lc rgb '#4e79a7', \\
     '' using 3 title columnheader(3) lc rgb '#f28e2b', \\
     '' using 4 title columnheader(4) lc rgb '#59a14f'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)


def gnuplot_schedule(path, title, stats, fmt_name):
    """Lines over the chunk size, one panel per schedule kind."""
    kinds = ["STATIC", "DYNAMIC", "GUIDED"]
    data = path + ".dat"
    with open(data, "w") as f:
        for kind in kinds:
            f.write("# %s\n" % kind)
            for n in (1, 2, 4, 8, 16, 32, 64, 128):
                key = "%s_%d" % (kind, n)
                vals = [chart_value(stats[("schedule", key, r)], "us") if ("schedule", key, r) in stats
                        else None for r in RUNTIMES]
                vals = [v if v is None or v > 0.05 else 0.05 for v in vals]  # log scale
                f.write("%d " % n + " ".join("%g" % v if v is not None else "NaN" for v in vals) + "\n")
            f.write("\n\n")
    plots = []
    for i, kind in enumerate(kinds):
        plots.append(f"""
set title "schedule({kind.lower()}, n)"
plot '{data}' index {i} using 1:2 with linespoints lw 2 lc rgb '#4e79a7' title 'libgomp', \\
     '' index {i} using 1:3 with linespoints lw 2 lc rgb '#f28e2b' title 'libomp', \\
     '' index {i} using 1:4 with linespoints lw 2 lc rgb '#59a14f' title 'hsomp'
""")
    script = f"""
{terminal(fmt_name, 1200, 420)}
set output '{path}'
set multiplot layout 1,3 title "{title}"
set logscale x 2
set logscale y
set xlabel "chunk size n"
set ylabel "overhead per loop, us (fastest test - fastest reference)"
set grid
set key top right
""" + "".join(plots) + "unset multiplot\n"
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)


def markdown_tables(stats, order, units, threads, ncpus):
    out, groups = [], []
    for g, _ in order:
        if g not in groups:
            groups.append(g)
    for g in groups:
        names = [n for gg, n in order if gg == g]
        has_best = any(stats.get((g, n, rt), {}).get("best") is not None for n in names for rt in RUNTIMES)
        out.append("**%s**\n" % GROUP_TITLES.get(g, g).format(t=threads, ncpu=ncpus))
        if has_best:
            out.append("| | libgomp | libomp | hsomp | ratio | best: libgomp | libomp | hsomp | ratio |")
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        else:
            out.append("| | libgomp | libomp | hsomp | ratio |")
            out.append("|---|---:|---:|---:|---:|")
        for n in names:
            meds, bests = {}, {}
            for rt in RUNTIMES:
                s = stats.get((g, n, rt))
                if s:
                    meds[rt] = s["median"]
                    if s.get("best") is not None:
                        bests[rt] = s["best"]
            row = "| %s | %s | %s | %s | %s |" % (n, fmt(meds.get("libgomp")), fmt(meds.get("libomp")),
                                                 fmt(meds.get("hsomp")), ratio_of(meds))
            if has_best:
                row += " %s | %s | %s | %s |" % (fmt(bests.get("libgomp")), fmt(bests.get("libomp")),
                                                 fmt(bests.get("hsomp")), ratio_of(bests))
            out.append(row)
        out.append("")
    return "\n".join(out) + "\n"


def chart_value(s, unit):
    """What a chart shows: overheads the quiet-machine estimate, else the median."""
    if unit == "us" and s.get("best") is not None:
        return s["best"]
    return s["median"]


def make_charts(out_dir, stats, order, units, threads, ncpus, fmt_name):
    """One chart per group and unit (schedule: lines over the chunk size)."""
    charts, groups = [], []
    for g, _ in order:
        if g not in groups:
            groups.append(g)
    for g in groups:
        title = GROUP_TITLES.get(g, g).format(t=threads, ncpu=ncpus)
        if g == "schedule":
            path = os.path.join(out_dir, "schedule.%s" % fmt_name)
            gnuplot_schedule(path, title, stats, fmt_name)
            charts.append(path)
            continue
        by_unit = {}
        for gg, name in order:
            if gg == g:
                by_unit.setdefault(units[(gg, name)], []).append(name)
        for unit, names in by_unit.items():
            rows = [(n, {rt: chart_value(stats[(g, n, rt)], unit) for rt in RUNTIMES if (g, n, rt) in stats})
                    for n in names]
            vals = [v for _, m in rows for v in m.values()]
            logscale = bool(vals) and min(vals) > 0 and max(vals) / min(vals) > 30
            suffix = "" if len(by_unit) == 1 else "-" + unit
            path = os.path.join(out_dir, "%s%s.%s" % (g, suffix, fmt_name))
            ylabel = {"us": "overhead, us (fastest test - fastest reference)",
                      "ms": "milliseconds (median)", "pct": "CPU time / wall time, % (median)"}[unit]
            gnuplot_bars(path, title, rows, ylabel, logscale, fmt_name)
            charts.append(path)
    return charts


def terminal(fmt_name, width, height):
    if fmt_name == "png":
        return "set terminal pngcairo size %d,%d font 'sans,10' background '#ffffff'" % (width, height)
    return "set terminal svg size %d,%d dynamic font 'sans,11' background '#ffffff'" % (width, height)


def replot(json_path, fmt_name):
    with open(json_path) as f:
        doc = json.load(f)
    stats, order, units = {}, [], {}
    for r in doc["results"]:
        key = (r["group"], r["name"])
        if key not in units:
            units[key] = r["unit"]
            order.append(key)
        stats[(r["group"], r["name"], r["runtime"])] = r
    m = doc["machine"]
    return make_charts(os.path.dirname(os.path.abspath(json_path)), stats, order, units,
                       m["threads"], m["cpus"], fmt_name)


def main():
    ap = argparse.ArgumentParser(description="hsomp benchmark suite driver")
    ap.add_argument("build", nargs="+",
                    help="hsomp build tree; results.json with --replot; results.json files with --tables")
    ap.add_argument("--replot", default=None, metavar="FORMAT",
                    help="only redraw the charts of BUILD (a results.json) as svg or png")
    ap.add_argument("--tables", action="store_true",
                    help="only write the tables again from the processes' records of one or more "
                         "results.json files, merged (into --out, default the first file's directory)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, one round")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default=None, help="groups to run (comma-separated)")
    ap.add_argument("--programs", default=None,
                    help="task programs of group taskapps to run (comma-separated; default all)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--publish", default=None, help="copy the charts to this directory")
    ap.add_argument("--no-placement", action="store_true",
                    help="do not run the placement probe around each process (Note [Placement])")
    ap.add_argument("--placement-threshold", type=float, default=None, metavar="NS",
                    help="class processes near/far at this round trip instead of the data's split")
    args = ap.parse_args()
    if len(args.build) > 1 and not args.tables:
        ap.error("several positional arguments only with --tables")
    if args.replot:
        for c in replot(args.build[0], args.replot):
            print(c)
        return 0
    if args.tables:
        return retable(args)

    build = args.build[0]
    manifest = read_manifest(build)
    libomp = find_libomp()
    if not libomp:
        sys.exit("run-bench: LLVM's libomp.so.5 not found (apt-get install libomp-dev)")
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(build)), "bench")
    os.makedirs(out_dir, exist_ok=True)
    rounds = args.rounds or (1 if args.quick else 3)
    ncpus = os.cpu_count() or 1
    only = set(args.only.split(",")) if args.only else None
    probe = None
    if not args.no_placement:
        probe = manifest.get("placement")
        if not probe or not os.path.exists(probe) or probe_placement(probe) is None:
            print("run-bench: placement probe %s not usable; no placement classes" % (probe or "(none)"),
                  file=sys.stderr)
            probe = None

    runs = []     # one record per process (Note [Placement])
    started = time.time()
    load_before = loadavg()
    failures = []
    programs = set(args.programs.split(",")) if args.programs else None
    all_jobs = [j for j in jobs(manifest, args.quick, args.threads, ncpus)
                if (only is None or j[0] in only)
                and (programs is None or j[0] != "taskapps" or j[1][1] in programs)]
    if programs and not programs <= {j[1][1] for j in all_jobs if j[0] == "taskapps"}:
        sys.exit("run-bench: no such task program: %s" %
                 ", ".join(sorted(programs - {j[1][1] for j in all_jobs if j[0] == "taskapps"})))
    interrupted = False

    def on_term(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        measure(all_jobs, rounds, manifest, libomp, probe, runs, failures, started)
    except KeyboardInterrupt:
        interrupted = True
        print("run-bench: interrupted; reporting the %d processes done" % len(runs), file=sys.stderr)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    elapsed = time.time() - started

    info = machine_info()
    info.update({"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "threads": args.threads,
                 "rounds": rounds, "quick": args.quick, "libomp": libomp,
                 "loadavg_before": load_before, "loadavg_after": loadavg(),
                 "seconds": round(elapsed, 1), "placement_probe": probe is not None})
    if interrupted:
        info["interrupted"] = True
        failures.append("interrupted after %d processes" % len(runs))
    return report(runs, info, failures, out_dir, args)


def measure(all_jobs, rounds, manifest, libomp, probe, runs, failures, started):
    """Every job's processes, the runtimes taking turns; a record per process in runs."""
    for group, argv, threads, rename, how in all_jobs:
        label = " ".join([os.path.basename(argv[0])] + argv[1:]) + " @%dt" % threads
        for rnd in range(rounds):
            for k in range(len(RUNTIMES)):
                rt = RUNTIMES[(rnd + k) % len(RUNTIMES)]
                cmd, env = command_for(rt, argv, manifest, libomp, threads, {})
                before = probe_placement(probe)
                try:
                    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
                    output, rc = p.stdout, p.returncode
                    if p.stderr.strip():
                        print("  [%s %s] %s" % (rt, os.path.basename(argv[0]), p.stderr.strip()[:300]),
                              file=sys.stderr)
                except subprocess.TimeoutExpired:
                    output, rc = "", "timeout"
                after = probe_placement(probe)
                if rc != 0:
                    failures.append("%s on %s: exit %s" % (" ".join(argv), rt, rc))
                runs.append({"group": group, "job": label, "runtime": rt, "round": rnd,
                             "time": round(time.time() - started, 2),
                             "round_trip_before": before, "round_trip_after": after,
                             "output": [[n, u, v] for n, u, v in parse(output, group, rename, how)]})
        print("run-bench: %s (%s, %d threads) done, %.0f s so far" %
              (group, os.path.basename(argv[-1] if how == "time" else argv[1]), threads,
               time.time() - started), file=sys.stderr)


def retable(args):
    """--tables: the report again from the process records of results.json files."""
    runs, failures, info = [], [], None
    for path in args.build:
        with open(path) as f:
            doc = json.load(f)
        if "runs" not in doc:
            sys.exit("run-bench: %s has no process records (written before they were kept)" % path)
        runs += doc["runs"]
        failures += doc.get("failures", [])
        m = dict(doc["machine"])
        if info is None:
            info = m
            info["merged_from"] = []
        else:
            info["seconds"] = round(info.get("seconds", 0) + m.get("seconds", 0), 1)
            info["loadavg_after"] = m.get("loadavg_after")
            info["placement_probe"] = info.get("placement_probe") and m.get("placement_probe")
            info["rounds"] = max(info.get("rounds", 0), m.get("rounds", 0))
        info["merged_from"].append(os.path.abspath(path))
    if len(args.build) == 1:
        del info["merged_from"]
    out_dir = args.out or os.path.dirname(os.path.abspath(args.build[0]))
    os.makedirs(out_dir, exist_ok=True)
    return report(runs, info, failures, out_dir, args)


def report(runs, info, failures, out_dir, args):
    """Tables on stdout, results.csv/json/md and the charts in out_dir."""
    stats, units, order = summarise(runs)
    rounds, threads, ncpus = info["rounds"], info["threads"], info["cpus"]
    placed = info.get("placement_probe", False) and not args.no_placement
    if placed:
        probes = [v for r in runs for v in (r.get("round_trip_before"), r.get("round_trip_after"))
                  if v is not None]
        if args.placement_threshold is not None:
            threshold, how = args.placement_threshold, "given (--placement-threshold)"
        else:
            threshold, how = placement_threshold(probes)
        info["placement_threshold_ns"] = round(threshold, 1)
        info["placement_threshold_how"] = how
        for r in runs:
            r["placement"] = placement_of(r, threshold)
        by_class = {cls: summarise([r for r in runs if r["placement"] == cls])[0] for cls in ("near", "far")}
        counts = placement_counts(runs, threshold)
        for key, s in stats.items():
            s["placement"] = {cls: {"processes": counts.get(key, {}).get(cls, 0)} for cls in PLACEMENTS}
            for cls in ("near", "far"):
                if key in by_class[cls]:
                    c = by_class[cls][key]
                    s["placement"][cls].update({"median": c["median"], "best": c["best"], "n": c["n"]})
    load_before = info.get("loadavg_before")

    # Tables.
    print("hsomp benchmarks, %s, %s (%d CPUs), gcc %s; %d round(s)%s; load average %.1f -> %.1f" %
          (info["date"], info["cpu"], info["cpus"], info["gcc"], rounds,
           ", quick" if info.get("quick") else "", load_before or 0, info["loadavg_after"] or 0))
    print("median ± median absolute deviation over all repetitions; ratio = hsomp / best other;\n"
          "right of |: best = fastest test loop - fastest reference loop (quiet-machine estimate)")
    groups = []
    for g, _ in order:
        if g not in groups:
            groups.append(g)
    for g in groups:
        print()
        print("== " + GROUP_TITLES.get(g, g).format(t=threads, ncpu=ncpus))
        has_best = any(stats.get((g, n, rt), {}).get("best") is not None
                       for gg, n in order if gg == g for rt in RUNTIMES)
        if has_best:
            print("%-18s %18s %18s %18s %6s | %7s %7s %7s %6s" %
                  ("", "libgomp", "libomp", "hsomp", "ratio", "libgomp", "libomp", "hsomp", "ratio"))
        else:
            print("%-18s %18s %18s %18s %6s" % ("", "libgomp", "libomp", "hsomp", "ratio"))
        for gg, name in order:
            if gg != g:
                continue
            cells, meds, bests = [], {}, {}
            for rt in RUNTIMES:
                s = stats.get((g, name, rt))
                if s:
                    meds[rt] = s["median"]
                    if s["best"] is not None:
                        bests[rt] = s["best"]
                    cells.append("%9s ± %-6s" % (fmt(s["median"]), fmt(s["mad"])))
                else:
                    cells.append("%18s" % "-")
            line = "%-18s %s %s %s %6s" % (name, cells[0], cells[1], cells[2], ratio_of(meds))
            if has_best:
                line += " | %7s %7s %7s %6s" % (fmt(bests.get("libgomp")), fmt(bests.get("libomp")),
                                                fmt(bests.get("hsomp")), ratio_of(bests))
            print(line)
        if g == "taskapps":
            print(geomean_line(stats, [n for gg, n in order if gg == g]))
    placement_md = ""
    if placed:
        placement_md = placement_tables(stats, by_class, counts, probes, order, threshold, how,
                                        threads, ncpus)
        print("\n" + placement_md.rstrip())
    if failures:
        print("\nfailures:")
        for f in failures:
            print("  " + f)
    print("\nrun-bench: %.0f s; results in %s" % (info.get("seconds", 0), out_dir))

    # CSV and JSON.
    with open(os.path.join(out_dir, "results.csv"), "w") as f:
        f.write("group,name,unit,runtime,median,mad,best,mean,sd,min,max,n\n")
        for g, name in order:
            for rt in RUNTIMES:
                s = stats.get((g, name, rt))
                if s:
                    f.write("%s,%s,%s,%s,%.6g,%.6g,%s,%.6g,%.6g,%.6g,%.6g,%d\n" %
                            (g, name, units[(g, name)], rt, s["median"], s["mad"],
                             "" if s["best"] is None else "%.6g" % s["best"], s["mean"],
                             s["sd"], s["min"], s["max"], s["n"]))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"machine": info, "failures": failures,
                   "results": [{"group": g, "name": n, "unit": units[(g, n)], "runtime": rt,
                                **stats[(g, n, rt)]}
                               for g, n in order for rt in RUNTIMES if (g, n, rt) in stats],
                   "runs": runs},
                  f, indent=1)

    # The same tables in Markdown, for the README.
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(markdown_tables(stats, order, units, threads, ncpus))
        if placement_md:
            f.write("\n" + placement_md)

    # Charts.
    if shutil.which("gnuplot"):
        charts = make_charts(out_dir, stats, order, units, threads, ncpus, "svg")
        if args.publish:
            os.makedirs(args.publish, exist_ok=True)
            for c in charts:
                shutil.copy(c, args.publish)
            print("run-bench: charts copied to %s" % args.publish)
    else:
        print("run-bench: gnuplot not found, no charts", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
