"""Tables and result files.

The text table has one row per (language, directory) and per language, one
column per runtime: "passed/run".  "run" counts the tests that were built
and run here (unsupported ones and other DejaGnu actions are left out; a
build failure counts as a failure for every runtime).  The Markdown table is
the by-language summary for the README.
"""
import collections
import os

LANG_NAMES = {"c": "C", "c++": "C++", "fortran": "Fortran"}


def _rows(tests):
    rows = collections.OrderedDict()
    for t in tests:
        rows.setdefault((t.lang, t.directory), []).append(t)
    return rows


def text_table(tests, results, runtimes):
    """results: {runtime name: {test id: Result}}."""
    names = [r.name for r in runtimes]
    head = f"{'lang':8} {'directory':30} {'tests':>6}" + "".join(f" {n:>14}" for n in names)
    lines = [head, "-" * len(head)]

    def line(lang, label, group):
        cells = []
        for n in names:
            passed = sum(1 for t in group if results[n].get(t.id) is not None and results[n][t.id].ok)
            cells.append(f" {passed:>7}/{len(group):<6}")
        return f"{lang:8} {label:30} {len(group):>6}" + "".join(cells)

    by_lang = collections.OrderedDict()
    for (lang, directory), group in _rows(tests).items():
        lines.append(line(lang, directory, group))
        by_lang.setdefault(lang, []).extend(group)
    lines.append("-" * len(head))
    for lang, group in by_lang.items():
        lines.append(line(lang, "all", group))
    lines.append(line("all", "all", tests))
    return "\n".join(lines)


def markdown_table(tests, results, runtimes, labels):
    names = [r.name for r in runtimes]
    out = ["| language | tests | " + " | ".join(labels.get(n, n) for n in names) + " |",
           "|---|---:|" + "---:|" * len(names)]
    groups = collections.OrderedDict()
    for t in tests:
        groups.setdefault(t.lang, []).append(t)
    groups["all"] = list(tests)
    for lang, group in groups.items():
        cells = [str(sum(1 for t in group if results[n].get(t.id) is not None and results[n][t.id].ok))
                 for n in names]
        label = LANG_NAMES.get(lang, "**all**")
        total = str(len(group)) if lang != "all" else f"**{len(group)}**"
        out.append(f"| {label} | {total} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def write_results(outdir, runtime_name, tests, results):
    """results-<rt>.tsv (every test) and failures-<rt>.txt (id, tab, reason)."""
    os.makedirs(outdir, exist_ok=True)
    failures = os.path.join(outdir, f"failures-{runtime_name}.txt")
    with open(os.path.join(outdir, f"results-{runtime_name}.tsv"), "w") as all_f, open(failures, "w") as fail_f:
        for t in tests:
            r = results.get(t.id)
            if r is None:
                continue
            all_f.write(f"{t.id}\t{r.status}\t{r.seconds:.2f}\t{r.reason}\n")
            if not r.ok:
                fail_f.write(f"{t.id}\t{r.reason}\n")
    return failures
