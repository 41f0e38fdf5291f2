#!/usr/bin/env python3
"""placement_check.py -- ctest bench.placement_probe and bench.placement_grouping
(checks of a tool, not timings; Note [Placement] in bench/run-bench.py).

    placement_check.py probe PROBE        the probe runs, prints one plausible
                                          round trip, refuses bad arguments
    placement_check.py grouping RUN_BENCH the driver's threshold, classes and
                                          placement-matched tables on a
                                          synthetic results.json (--tables)
    placement_check.py driver RUN_BENCH BUILD_DIR
                                          the driver end to end on the task
                                          programs at their tiny size, one
                                          round: every process has its two
                                          probes and a class; --no-placement
"""
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check_probe(probe):
    if len(os.sched_getaffinity(0)) < 2:
        print("skip: fewer than two CPUs to pin the probe's threads to")
        sys.exit(SKIP)
    p = subprocess.run([probe], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        fail("probe exit %d: %s" % (p.returncode, p.stderr))
    lines = p.stdout.splitlines()
    m = re.fullmatch(r"PLACEMENT round_trip_ns (\S+) p10 (\S+) p90 (\S+) cpus (\d+) (\d+) round_trips (\d+)",
                     lines[0] if len(lines) == 1 else "")
    if not m:
        fail("expected one PLACEMENT line, got %r" % p.stdout)
    med, p10, p90 = float(m.group(1)), float(m.group(2)), float(m.group(3))
    # Plausible: a line moves between two CPUs in more than a nanosecond and,
    # the median over thousands of round trips, well under a millisecond.
    if not (1.0 < med < 1e6):
        fail("round trip %g ns is not plausible" % med)
    if not (p10 <= med <= p90):
        fail("percentiles out of order: p10 %g, median %g, p90 %g" % (p10, med, p90))
    if m.group(4) == m.group(5) or int(m.group(6)) < 1000:
        fail("cpus %s %s, %s round trips" % (m.group(4), m.group(5), m.group(6)))
    for bad in (["--batches", "0"], ["--cpus", "3,3"], ["--cpus", "x"], ["--nonsense"]):
        q = subprocess.run([probe] + bad, capture_output=True, text=True, timeout=30)
        if q.returncode != 2 or q.stdout:
            fail("%s: exit %d, output %r (expected 2 and none)" % (bad, q.returncode, q.stdout))
    print("ok: round trip %.1f ns (p10 %.1f, p90 %.1f)" % (med, p10, p90))


def run_record(rt, rnd, before, after, name, values):
    return {"group": "taskapps", "job": "hsomp-taskapps %s @2t" % name, "runtime": rt, "round": rnd,
            "time": 0.0, "round_trip_before": before, "round_trip_after": after,
            "output": [["best:" + name, "ms", [min(values)]], [name, "ms", values]]}


def synthetic_runs():
    """Program P: every runtime near twice and far twice, hsomp also one
    mixed process; near, hsomp 80 against 100/120; far, 190 against 200/220.
    Program Q: libgomp and libomp only far, hsomp only near (no matched
    ratio); program R: no probes at all (unknown)."""
    near, far = (70.0, 75.0), (330.0, 320.0)
    runs = []
    for rnd in range(2):
        for rt, n_ms, f_ms in (("libgomp", 100.0, 200.0), ("libomp", 120.0, 220.0), ("hsomp", 80.0, 190.0)):
            runs.append(run_record(rt, rnd, *near, "P", [n_ms, n_ms + 2, n_ms + 4]))
            runs.append(run_record(rt, rnd, *far, "P", [f_ms, f_ms + 2, f_ms + 4]))
    runs.append(run_record("hsomp", 2, 80.0, 340.0, "P", [500.0, 502.0, 504.0]))
    for rnd in range(2):
        runs.append(run_record("libgomp", rnd, *far, "Q", [10.0, 11.0]))
        runs.append(run_record("libomp", rnd, *far, "Q", [12.0, 13.0]))
        runs.append(run_record("hsomp", rnd, *near, "Q", [5.0, 6.0]))
        for rt in ("libgomp", "libomp", "hsomp"):
            runs.append(run_record(rt, rnd, None, None, "R", [3.0, 3.0]))
    return runs


def machine():
    return {"cpu": "synthetic", "cpus": 2, "kernel": "-", "gcc": "-", "date": "2026-12-04 00:00",
            "threads": 2, "rounds": 3, "quick": False, "libomp": "-", "loadavg_before": 0.0,
            "loadavg_after": 0.0, "seconds": 1.0, "placement_probe": True}


def tables(run_bench, files, out, extra=()):
    p = subprocess.run([sys.executable, run_bench] + files + ["--tables", "--out", out] + list(extra),
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        fail("--tables exit %d: %s %s" % (p.returncode, p.stdout, p.stderr))
    with open(os.path.join(out, "results.md")) as f:
        md = f.read()
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    return md, doc


def row(md, name):
    """The placement-matched row of a program: its cells."""
    hits = [l for l in md.splitlines() if l.startswith("| %s |" % name) and "/" in l]
    if len(hits) != 1:
        fail("expected one placement row for %s in:\n%s" % (name, md))
    return [c.strip() for c in re.split(r"(?<!\\)\|", hits[0].strip().strip("|"))][1:]


def check_grouping(run_bench):
    spec = importlib.util.spec_from_file_location("run_bench", run_bench)
    rb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rb)

    # The threshold: two groups apart -> between them; one group -> fixed.
    thr, how = rb.placement_threshold([62, 300, 70, 85, None, 340, 320, 58])
    if not (85 < thr < 300) or "from the data" not in how:
        fail("two groups: threshold %g (%s)" % (thr, how))
    if abs(thr - (85 * 300) ** 0.5) > 1e-6:
        fail("two groups: threshold %g, expected the geometric mean of 85 and 300" % thr)
    for one in ([60, 70, 80, 95, 110], [310, 330, 350], [], [None], [75]):
        thr, how = rb.placement_threshold(one)
        if thr != rb.FALLBACK_THRESHOLD_NS:
            fail("one group %s: threshold %g (%s)" % (one, thr, how))
    # A few far probes among many spread near ones: whether split or fixed,
    # the threshold still lies between the two placements.
    spread = [110 + 97 * i / 199 for i in range(200)] + [470, 520, 610, 690]
    thr, how = rb.placement_threshold(spread)
    if not (207 < thr < 470):
        fail("a few far among many near: threshold %g (%s)" % (thr, how))
    cls = [rb.placement_of({"round_trip_before": b, "round_trip_after": a}, 200.0)
           for b, a in ((50, 60), (300, 350), (50, 350), (350, 50), (None, 60), (60, None), (200, 200))]
    if cls != ["near", "far", "mixed", "mixed", "unknown", "unknown", "far"]:
        fail("classes %s" % cls)

    runs = synthetic_runs()
    with tempfile.TemporaryDirectory() as tmp:
        whole = os.path.join(tmp, "whole.json")
        with open(whole, "w") as f:
            json.dump({"machine": machine(), "failures": [], "results": [], "runs": runs}, f)
        md, doc = tables(run_bench, [whole], os.path.join(tmp, "a"))
        if not (85 < doc["machine"]["placement_threshold_ns"] < 320):
            fail("threshold %s" % doc["machine"]["placement_threshold_ns"])
        p = row(md, "P")
        # all: libgomp 100..104 and 200..204 twice -> median 152, libomp 172,
        # hsomp with the mixed 500s 190; best: the median of the processes'
        # fastest runs, 150, 170, 190.  near: 82 / 102, 80 / 100; far:
        # 192 / 202, 190 / 200.
        if p != ["1.25 \\| 1.27", "0.80 \\| 0.80", "0.95 \\| 0.95", "2/2/0", "2/2/0", "2/2/1"]:
            fail("row P %s" % p)
        q = row(md, "Q")
        if q[1:] != ["n/a", "n/a", "0/2/0", "0/2/0", "2/0/0"]:
            fail("row Q %s" % q)
        r = row(md, "R")
        if r[1:] != ["n/a", "n/a", "0/0/0", "0/0/0", "0/0/0"]:
            fail("row R %s" % r)
        if r[0] != "1.00 \\| 1.00":
            fail("row R, all processes: %s" % r[0])
        classes = sorted(set(x["placement"] for x in doc["runs"]))
        if classes != ["far", "mixed", "near", "unknown"]:
            fail("classes recorded %s" % classes)
        near_p = [x for x in doc["results"] if x["name"] == "P" and x["runtime"] == "hsomp"][0]
        if near_p["placement"]["near"]["median"] != 82.0 or near_p["placement"]["mixed"]["processes"] != 1:
            fail("hsomp P placement record %s" % near_p["placement"])

        # Split in two files (as two --only windows would be) and merged:
        # the same tables.
        a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
        for path, part in ((a, runs[:7]), (b, runs[7:])):
            with open(path, "w") as f:
                json.dump({"machine": machine(), "failures": [], "results": [], "runs": part}, f)
        md2, _ = tables(run_bench, [a, b], os.path.join(tmp, "b"))
        if md2 != md:
            fail("merged tables differ:\n%s\n---\n%s" % (md2, md))

        # A given threshold: at 400 ns every probed process is near.
        md3, doc3 = tables(run_bench, [whole], os.path.join(tmp, "c"), ["--placement-threshold", "400"])
        p = row(md3, "P")
        if p[2] != "n/a" or p[3:] != ["4/0/0", "4/0/0", "5/0/0"]:
            fail("row P at 400 ns %s" % p)
        # --no-placement: the tables without placement columns.
        md4, _ = tables(run_bench, [whole], os.path.join(tmp, "d"), ["--no-placement"])
        if "placement-matched" in md4 or "| P |" not in md4:
            fail("--no-placement tables:\n%s" % md4)
    print("ok: threshold, classes, matched ratios, merge, override")


def check_driver(run_bench, build):
    if len(os.sched_getaffinity(0)) < 2:
        print("skip: fewer than two CPUs to pin the probe's threads to")
        sys.exit(SKIP)
    with open(os.path.join(build, "bench", "manifest.txt")) as f:
        manifest = dict(l.strip().split("=", 1) for l in f if "=" in l)
    with tempfile.TemporaryDirectory() as tmp:
        # A build tree whose taskapps are the real ones at their tiny size.
        os.makedirs(os.path.join(tmp, "build", "bench"))
        tiny = os.path.join(tmp, "tiny.sh")
        with open(tiny, "w") as f:
            f.write('#!/bin/sh\ncase "$1" in --list) exec "%s" --list;; '
                    '*) exec "%s" "$@" --tiny --reps 1;; esac\n' % (manifest["taskapps"], manifest["taskapps"]))
        os.chmod(tiny, 0o755)
        with open(os.path.join(tmp, "build", "bench", "manifest.txt"), "w") as f:
            for k in ("bench", "hsomp_run", "placement"):
                f.write("%s=%s\n" % (k, manifest[k]))
            f.write("taskapps=%s\n" % tiny)
        programs = subprocess.run([tiny, "--list"], capture_output=True, text=True).stdout.split("\n")
        programs = [l.split("\t")[0] for l in programs if l.strip()]
        for extra in ([], ["--no-placement"]):
            out = os.path.join(tmp, "out" + "".join(extra))
            p = subprocess.run([sys.executable, run_bench, os.path.join(tmp, "build"), "--rounds", "1",
                                "--only", "taskapps", "--out", out] + extra,
                               capture_output=True, text=True, timeout=240)
            if p.returncode != 0:
                fail("run-bench %s: exit %d\n%s\n%s" % (extra, p.returncode, p.stdout, p.stderr))
            with open(os.path.join(out, "results.json")) as f:
                doc = json.load(f)
            with open(os.path.join(out, "results.md")) as f:
                md = f.read()
            runs = doc["runs"]
            if len(runs) != 3 * len(programs) or len(programs) < 10:
                fail("%d process records for %d programs" % (len(runs), len(programs)))
            if sorted(set(r["runtime"] for r in runs)) != ["hsomp", "libgomp", "libomp"]:
                fail("runtimes %s" % sorted(set(r["runtime"] for r in runs)))
            for r in runs:
                probes = (r["round_trip_before"], r["round_trip_after"])
                if extra:
                    if probes != (None, None) or "placement" in r:
                        fail("--no-placement, yet %s" % r)
                elif not all(isinstance(v, float) and v > 0 for v in probes) or \
                        r["placement"] not in ("near", "far", "mixed"):
                    fail("process without its probes or class: %s" % r)
                if not any(name == r["job"].split()[1] for name, _, _ in r["output"]):
                    fail("process without its values: %s" % r)
            if extra and ("placement-matched" in md or "placement_threshold_ns" in doc["machine"]):
                fail("--no-placement, yet placement tables")
            if not extra:
                rows = [l for l in md.splitlines() if re.search(r"\| \d+/\d+/\d+ \|$", l)]
                if len(rows) != len(programs) or "threshold" not in md:
                    fail("placement table:\n%s" % md)
    print("ok: %d programs, every process probed before and after" % len(programs))


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("probe", "grouping", "driver") or \
            len(sys.argv) != (4 if sys.argv[1] == "driver" else 3):
        print(__doc__)
        return 2
    if sys.argv[1] == "probe":
        check_probe(sys.argv[2])
    elif sys.argv[1] == "grouping":
        check_grouping(sys.argv[2])
    else:
        check_driver(sys.argv[2], sys.argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
