#!/usr/bin/env python3
"""src_graph.py -- which file of src/ calls which, and a check that no new
call or include cycle appears between src/ files.

    src_graph.py OBJDIR SRCDIR                 the graph: one line per file,
                                               "A.c: B.c C.c" (A uses what B, C define),
                                               then the includes
    src_graph.py --check OBJDIR SRCDIR KNOWN   fail if the cycles differ from KNOWN

OBJDIR holds the runtime's object files (CMakeFiles/hsomp.dir/src in a
build tree, in the folders of src/).  Files are named by their path in
src/ ("team/thread.c").  Calls come from nm: what each object defines and what it
leaves undefined, so a call made through an inline function of a header
counts for the file it is inlined into.  Includes come from the
#include "..." lines of src/.  A cycle (a strongly connected set of files)
makes its files one unit that can be neither read nor changed apart.
KNOWN lists the cycles that exist today, one per line (its files sorted,
space-separated); the check fails when a cycle appears that is not in the
list, or grows, and also when a listed cycle is gone, so that the list
only ever shrinks (ctest: arch.src_graph).
"""
import os
import re
import subprocess
import sys


def sources(srcdir):
    """The .c and .h files of srcdir and its folders, as paths relative to
    it ("team/thread.c"); their base names are unique, since a file
    includes an internal header by its name alone."""
    out = []
    for d, _, names in os.walk(srcdir):
        for n in names:
            if n.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(d, n), srcdir))
    out.sort()
    by_name = {}
    for f in out:
        if os.path.basename(f) in by_name:
            sys.exit("src_graph.py: two files named %s: %s and %s"
                     % (os.path.basename(f), by_name[os.path.basename(f)], f))
        by_name[os.path.basename(f)] = f
    return out, by_name


def symbols(objs, flag):
    """{object file path: [symbols]} from one nm run over all objects."""
    out = subprocess.run(["nm", "-P", "-A", flag] + objs, capture_output=True, text=True,
                         check=True).stdout
    found = {o: [] for o in objs}
    for line in out.splitlines():
        # "path/x.c.o: symbol T 0 0"
        where, _, rest = line.partition(": ")
        if rest.strip():
            found[where].append(rest.split()[0])
    return found


def call_graph(objdir, srcdir):
    # Only objects of sources that exist: a build tree keeps the object of
    # a file since deleted.
    files = [f for f in sources(srcdir)[0] if f.endswith(".c")]
    obj_of = {os.path.join(objdir, f + ".o"): f for f in files
              if os.path.exists(os.path.join(objdir, f + ".o"))}
    if not obj_of:
        return {}
    objs = sorted(obj_of)
    defined, undefined = symbols(objs, "--defined-only"), symbols(objs, "--undefined-only")
    defs = {}
    for o, syms in defined.items():
        for s in syms:
            defs[s] = obj_of[o]
    graph = {}
    for o, syms in undefined.items():
        f = obj_of[o]
        graph[f] = {defs[s] for s in syms if s in defs and defs[s] != f}
    return graph


def include_graph(srcdir):
    files, by_name = sources(srcdir)
    graph = {}
    pat = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for name in files:
        graph[name] = set()
        with open(os.path.join(srcdir, name)) as f:
            for line in f:
                m = pat.match(line)
                if m and os.path.basename(m.group(1)) in by_name:
                    graph[name].add(by_name[os.path.basename(m.group(1))])
    return graph


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(" ".join(sorted(comp)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def main(argv):
    check = argv[1:2] == ["--check"]
    args = argv[2:] if check else argv[1:]
    if len(args) != (3 if check else 2):
        sys.exit(__doc__)
    calls, includes = call_graph(args[0], args[1]), include_graph(args[1])
    if not calls:
        sys.exit("src_graph.py: no object files in %s" % args[0])
    if not check:
        for f in sorted(calls):
            print("%s: %s" % (f, " ".join(sorted(calls[f]))))
        for f in sorted(includes):
            if includes[f]:
                print("%s includes %s" % (f, " ".join(sorted(includes[f]))))
        for c in cycles(calls):
            print("call cycle: " + c)
        for c in cycles(includes):
            print("include cycle: " + c)
        return 0
    with open(args[2]) as f:
        known = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    found = {"calls: " + c for c in cycles(calls)} | {"includes: " + c for c in cycles(includes)}
    bad = 0
    for c in sorted(found - known):
        print("new or changed cycle between src/ files (%s)" % c)
        bad = 1
    for c in sorted(known - found):
        print("listed cycle is gone, remove it from %s: %s" % (args[2], c))
        bad = 1
    if not bad:
        print("src/: %d files, %d known cycles, no new one" % (len(calls), len(found)))
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
