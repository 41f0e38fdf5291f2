"""Command line: fetch, build, run under hsomp (and optionally libgomp and LLVM
libomp), print the tables, and judge the run against the known-failures list.

Exit status: 0 when every failing hsomp test is listed and every listed test
fails; 1 otherwise (or when --update-known-failures could not tell); 2 when
the runner cannot do its job (no hsomp build, sources unavailable, ...).
"""
import argparse
import concurrent.futures
import os
import re
import sys
import time

from . import build, execute, known, report, source, targets
from .progress import Progress

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))      # conformance/
REPO = os.path.dirname(HERE)
DEFAULT_LIBOMP = "/usr/lib/llvm-14/lib/libomp.so.5"
LABELS = {"hsomp": "hsomp", "libgomp": "GCC libgomp 12", "libomp": "LLVM libomp 14"}


def default_build_dir():
    for cand in (os.path.join(REPO, "_build", "release"), os.path.join(REPO, "build")):
        if os.path.exists(os.path.join(cand, "gomp", "libgomp.so.1")):
            return cand
    return os.path.join(REPO, "_build", "release")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="run-gcc-testsuite",
        description="Build GCC 12's libgomp testsuite (C, C++, Fortran run tests) and run it with hsomp "
                    "loaded as libgomp.so.1; judge the result against conformance/known-failures.txt.")
    p.add_argument("--build-dir", default=os.environ.get("HSOMP_BUILD_DIR") or default_build_dir(),
                   help="hsomp build directory, holding gomp/libgomp.so.1 (default: $HSOMP_BUILD_DIR, else "
                        "_build/release (./run's tree), else build)")
    p.add_argument("--hsomp", help="library to test as hsomp (default: BUILD_DIR/gomp/libgomp.so.1)")
    p.add_argument("--compare", action="store_true",
                   help="also run every test with the system libgomp and LLVM libomp; print the comparison table")
    p.add_argument("--libomp", default=DEFAULT_LIBOMP, help=f"LLVM libomp for --compare (default {DEFAULT_LIBOMP})")
    p.add_argument("--only", metavar="REGEX", help="only the tests whose id (e.g. 'c:libgomp.c/for-1.c') matches")
    p.add_argument("--langs", default="c,c++,fortran", help="languages to test (default c,c++,fortran)")
    p.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("HSOMP_GCC_TESTSUITE_JOBS", "2")),
                   help="compilers / tests at a time (default 2)")
    p.add_argument("--timeout", type=float, default=60, help="seconds per test run (default 60; dg-timeout "
                   "and dg-timeout-factor adjust it)")
    p.add_argument("--env", action="append", default=[], metavar="VAR=VALUE",
                   help="set VAR in every run, for stress runs (OMP_NUM_THREADS=8, ...); a test's "
                        "dg-set-target-env-var still wins; may be repeated")
    p.add_argument("--retries", type=int, default=1,
                   help="re-run a failing test this many times; passing on a re-run makes it 'flaky' (default 1)")
    p.add_argument("--known-failures", default=os.path.join(HERE, "known-failures.txt"))
    p.add_argument("--update-known-failures", action="store_true",
                   help="rewrite the known-failures list from this run (keeps reasons of entries still failing)")
    p.add_argument("--no-gate", action="store_true", help="report only; exit 0 whatever fails")
    p.add_argument("--cache", default=os.environ.get("HSOMP_GCC_TESTSUITE_CACHE",
                                                     os.path.expanduser("~/.cache/hsomp/gcc-testsuite")),
                   help="sources, builds and scratch space (default ~/.cache/hsomp/gcc-testsuite)")
    p.add_argument("--source", help="an unpacked GCC source tree to use instead of fetching gcc-12-source")
    p.add_argument("--output-dir", help="where summaries and failure lists go (default BUILD_DIR/gcc-testsuite)")
    p.add_argument("--build-only", action="store_true", help="build the tests and stop")
    p.add_argument("--list", action="store_true", help="list the tests and whether they run here, then stop")
    return p.parse_args(argv)


def fail_setup(msg):
    print("gcc-testsuite: " + msg, file=sys.stderr)
    sys.exit(2)


def run_runtime(runtime, tests, built, args, label=None):
    """{test id: Result} for every test (build failures become failures)."""
    results, todo = {}, []
    for t in tests:
        b = built[t.id]
        if b.exe is None:
            results[t.id] = execute.Result("fail", b.error)
        else:
            todo.append(t)
    progress = Progress(label or runtime.name, len(tests))
    for t in tests:
        if t.id in results:
            progress.step(False, t.id, results[t.id].reason)
    scratch = os.path.join(args.cache, "scratch")
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(execute.run_one, t, built[t.id].exe, runtime, scratch, args.timeout,
                               args.extra_env): t
                   for t in todo}
        for fut in concurrent.futures.as_completed(futures):
            t = futures[fut]
            r = fut.result()
            results[t.id] = r
            progress.step(r.ok, t.id, r.reason)
    progress.finish()
    return results


def rerun_failures(runtime, tests, built, results, args):
    """Re-run failed tests; ids that pass on a re-run are returned as flaky."""
    flaky = set()
    failed = [t for t in tests if not results[t.id].ok and built[t.id].exe]
    for attempt in range(args.retries):
        failed = [t for t in failed if t.id not in flaky]
        if not failed:
            break
        again = run_runtime(runtime, failed, built, args, label=f"{runtime.name} re-run {attempt + 1}")
        flaky |= {tid for tid, r in again.items() if r.ok}
    return flaky


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    langs = [l.strip() for l in args.langs.split(",") if l.strip()]
    if not langs or any(l not in source.LANG_DIRS for l in langs):
        fail_setup(f"--langs takes a comma-separated subset of {','.join(source.LANG_DIRS)}")
    only = re.compile(args.only) if args.only else None
    args.extra_env = {}
    for item in args.env:
        var, eq, value = item.partition("=")
        if not eq or not var:
            fail_setup(f"--env takes VAR=VALUE, got '{item}'")
        args.extra_env[var] = value
    full_selection = only is None and sorted(langs) == sorted(source.LANG_DIRS)

    hsomp_lib = args.hsomp or os.path.join(args.build_dir, "gomp", "libgomp.so.1")
    if os.path.isdir(hsomp_lib):
        hsomp_lib = os.path.join(hsomp_lib, "libgomp.so.1")
    if not args.list and not args.build_only and not os.path.exists(hsomp_lib):
        fail_setup(f"no hsomp library at {hsomp_lib}: build hsomp first "
                   f"(cmake -S {REPO} -B {args.build_dir} && make -C {args.build_dir}) or pass --build-dir/--hsomp")
    outdir = args.output_dir or (os.path.join(args.build_dir, "gcc-testsuite") if os.path.isdir(args.build_dir)
                                 else os.path.join(args.cache, "results"))

    os.makedirs(args.cache, exist_ok=True)
    testsuite = source.testsuite_dir(args.cache, args.source)
    host = targets.Host(os.path.join(args.cache, "probes"))
    everything = source.collect(host, testsuite, langs)
    selected = [t for t in everything if only is None or only.search(t.id)]
    tests = [t for t in selected if t.runs]
    not_run = [t for t in selected if not t.runs]
    print(f"gcc-testsuite: {len(tests)} run tests selected from {testsuite} "
          f"({', '.join(f'{l} {sum(t.lang == l for t in tests)}' for l in langs)}); "
          f"{len(not_run)} other tests are not run here (other dg-do actions, unsupported targets)",
          file=sys.stderr, flush=True)
    if args.list:
        for t in selected:
            print(f"{t.id}\t{'run' if t.runs else (t.unsupported or 'dg-do ' + t.action)}")
        return 0

    start = time.monotonic()
    libgomp_dir = os.path.dirname(testsuite)
    progress = Progress("build", len(tests))
    include_dir = build.write_config_header(host, os.path.join(args.cache, "include"))
    built = build.build_all(tests, os.path.join(args.cache, "build"), libgomp_dir, include_dir, args.jobs, progress)
    progress.finish()
    build_failures = [t for t in tests if built[t.id].exe is None]
    if args.build_only:
        return 1 if build_failures else 0
    if all(built[t.id].exe is None for t in tests):
        fail_setup("no test could be built; see build.log files under " + os.path.join(args.cache, "build"))
    probe_exe = build.libgomp_probe(os.path.join(args.cache, "probes"))
    if probe_exe is None:
        fail_setup("cannot build a program with gcc -fopenmp")

    system_lib = execute.system_libgomp(probe_exe)
    runtimes = [execute.Runtime("hsomp", hsomp_lib, args.cache)]
    if args.compare:
        if not system_lib:
            fail_setup("cannot find the system libgomp.so.1")
        runtimes.append(execute.Runtime("libgomp", system_lib, args.cache))
        if os.path.exists(args.libomp):
            runtimes.append(execute.Runtime("libomp", args.libomp, args.cache))
        else:
            print(f"gcc-testsuite: no LLVM libomp at {args.libomp}; comparing with libgomp only", file=sys.stderr)
    for rt in runtimes:
        problem = execute.check_loaded(rt, probe_exe)
        if problem:
            fail_setup(f"{rt.name}: {problem}")

    results, flaky = {}, set()
    for rt in runtimes:
        results[rt.name] = run_runtime(rt, tests, built, args)
        if rt.name == "hsomp":
            flaky = rerun_failures(rt, tests, built, results["hsomp"], args)

    # Which hsomp failures are also failures of the system libgomp on this machine?
    hs = results["hsomp"]
    failing = {t.id for t in tests if not hs[t.id].ok and t.id not in flaky}
    listed = known.KnownFailures(args.known_failures)
    baseline_failures = set()
    if "libgomp" in results:
        baseline_failures = {tid for tid in failing if not results["libgomp"][tid].ok}
    elif system_lib and (failing - set(listed.entries) or args.update_known_failures):
        check = [t for t in tests if t.id in failing and (args.update_known_failures or t.id not in listed.entries)]
        if check:
            ref = execute.Runtime("libgomp", system_lib, args.cache)
            base = run_runtime(ref, check, built, args, label="libgomp check")
            baseline_failures = {tid for tid, r in base.items() if not r.ok}
    baseline_failures -= {t.id for t in build_failures}     # a build failure is never the baseline's fault

    # Files and tables.
    for rt in runtimes:
        report.write_results(outdir, rt.name, tests, results[rt.name])
    table = report.text_table(tests, results, runtimes)
    lines = [table, ""]
    if flaky:
        lines.append(f"flaky under hsomp (failed, then passed on a re-run): {len(flaky)}")
        lines += ["  " + tid for tid in sorted(flaky)]
    if baseline_failures:
        lines.append(f"failing with the system libgomp too (not held against hsomp): {len(baseline_failures)}")
        lines += [f"  {tid}\t{hs[tid].reason}" for tid in sorted(baseline_failures)]
    if build_failures:
        lines.append(f"not built: {len(build_failures)} (see build.log under {os.path.join(args.cache, 'build')})")
        lines += [f"  {t.id}\t{built[t.id].error}" for t in build_failures]
    unsupported = [t for t in not_run if t.action == "run"]
    lines.append(f"unsupported here: {len(unsupported)} run tests (needs an offload device, other targets, ...)")
    summary = "\n".join(lines)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "summary.txt"), "w") as f:
        f.write(summary + "\n")
    if args.compare:
        md = report.markdown_table(tests, results, runtimes, LABELS)
        with open(os.path.join(outdir, "table.md"), "w") as f:
            f.write(md + "\n")
        summary += "\n\n" + md
    print(summary)

    # The gate.
    selected_ids = {t.id for t in selected}
    run_ids = {t.id for t in tests}
    counted = failing - baseline_failures
    unexpected_fail = sorted(counted - set(listed.entries))
    unexpected_pass = sorted(tid for tid in listed.entries
                             if tid in run_ids and hs[tid].ok and tid not in flaky and not listed.flaky(tid))
    stale = sorted(tid for tid in listed.entries
                   if (full_selection or tid in selected_ids) and tid not in run_ids)
    if args.update_known_failures:
        entries = {tid: reason for tid, reason in listed.entries.items() if tid not in selected_ids}
        for tid in sorted(counted | (flaky - baseline_failures)):
            old = listed.entries.get(tid)
            if old and (tid in counted or old.startswith(known.FLAKY)):
                entries[tid] = old
            else:
                reason = hs[tid].reason if tid in counted else "failed, then passed on a re-run"
                entries[tid] = (known.FLAKY + " " if tid in flaky else "") + reason
        listed.write(entries)
        print(f"gcc-testsuite: wrote {len(entries)} entries to {args.known_failures}")
        return 0
    passed = sum(hs[t.id].ok for t in tests)
    print(f"gcc-testsuite: hsomp passed {passed} of {len(tests)}; "
          f"{len(counted)} failures ({len(counted) - len(unexpected_fail)} known), results in {outdir} "
          f"({time.monotonic() - start:.0f}s)")
    errors = len(unexpected_fail) + len(unexpected_pass) + len(stale)
    # One line for scripts (./run test): the last line of every judged run.
    result = (f"gcc-testsuite: result: {passed}/{len(tests)} passed, "
              f"{len(counted) - len(unexpected_fail)} known failures, "
              f"{len(baseline_failures)} failing with libgomp too, {errors} gate errors")
    if args.no_gate:
        print(result)
        return 0
    for tid in unexpected_fail:
        print(f"NEW FAILURE  {tid}\t{hs[tid].reason}")
    for tid in unexpected_pass:
        print(f"NOW PASSES   {tid}\tremove it from {os.path.relpath(args.known_failures)}")
    for tid in stale:
        print(f"STALE ENTRY  {tid}\tnot a run test here; remove it from {os.path.relpath(args.known_failures)}")
    if unexpected_fail or unexpected_pass or stale:
        print(f"gcc-testsuite: gate FAILED ({len(unexpected_fail)} new failures, {len(unexpected_pass)} listed "
              f"tests now pass, {len(stale)} stale entries); after a deliberate change run "
              f"`conformance/run-gcc-testsuite --update-known-failures`")
        print(result)
        return 1
    print("gcc-testsuite: gate passed")
    print(result)
    return 0
