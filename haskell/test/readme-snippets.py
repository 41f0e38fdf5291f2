#!/usr/bin/env python3
"""readme-snippets.py -- every code block of the Haskell READMEs, checked as printed.

    readme-snippets.py REPO_ROOT WORK CABAL_DIR

Reads haskell/README.md and the section "Using hsomp from Haskell" of the
top-level README.md.  Each fenced block says in its info string (after the
language, which GitHub uses; the rest is not shown) how it is checked:

  ```text                    output shown by the README (a compiler message): not code
  ```sh [project=P]          run with bash, from REPO_ROOT or from project P's
                             directory; `cabal build|test|bench|run` lines of a
                             block without project= run with --dry-run (the haskell
                             stage really runs them; these and sdist get a --builddir
                             outside the source tree), `apt-get install` only checks
                             that the packages are installed
  ```LANG file=F project=P   file F of a user project P (cabal, c, haskell), written
                             exactly as printed; the project is built, and its sh
                             blocks (e.g. `cabal run app`) run in it
  ```haskell program         a complete program: built as an executable of the
                             project "programs" (with the README's C files of
                             project "programs") and run; it must exit 0

A block with none of these fails the check, so a new block cannot go
unchecked.  Two substitutions, in project files and project sh blocks only:
/home/you (the README's example home) is the checker's own home, WORK/home,
where the install block puts its tarballs, and /path/to/hsomp is REPO_ROOT.
CABAL_DIR: a cabal directory whose store already holds hsomp (package-checks.sh
builds it), so each project builds only itself.  Prints one line per block and
"readme snippets: P passed, F failed"; exits non-zero on any failure.
"""
import os
import re
import shutil
import subprocess
import sys

FENCE = re.compile(r'^(\s*)```(.*)$')


def blocks(path, section=None):
    """(line, info words, text) of every fenced block of path (within the ## section)."""
    lines = open(path, encoding='utf-8').read().split('\n')
    inside = section is None
    i = 0
    while i < len(lines):
        line = lines[i]
        if section is not None and line.startswith('## '):
            inside = line.strip() == '## ' + section
        m = FENCE.match(line)
        if not m:
            i += 1
            continue
        indent, info = m.group(1), m.group(2).split()
        body = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != '```':
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        if inside:
            yield i + 1, info, '\n'.join(body) + '\n'
        i = j + 1


def attrs(info):
    out = {}
    for w in info[1:]:
        k, _, v = w.partition('=')
        out[k] = v if v else True
    return out


SH_PRELUDE = r'''
set -eo pipefail
apt-get() {
  local p
  for p in "$@"; do
    case $p in install | -*) ;; *)
      dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        { echo "readme: package $p is not installed" >&2; return 1; } ;;
    esac
  done
}
'''
DRY_CABAL = r'''
cabal() {
  case $1 in
    build | test | bench) local c=$1; shift; command cabal "$c" --dry-run --builddir="$README_BUILDDIR" "$@" ;;
    sdist) shift; command cabal sdist --builddir="$README_BUILDDIR" "$@" ;;  # not in the source tree
    run) # a dry run builds nothing, so there is nothing to run: plan the build
      local a=() x; shift
      for x in "$@"; do [ "$x" = -- ] && break; a+=("$x"); done
      command cabal build --dry-run --builddir="$README_BUILDDIR" "${a[@]}" ;;
    *) command cabal "$@" ;;
  esac
}
'''


def main():
    root, work, cabal_dir = (os.path.abspath(a) for a in sys.argv[1:4])
    home = os.path.join(work, 'home')
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(home)
    env = dict(os.environ, HOME=home, CABAL_DIR=cabal_dir,
               README_BUILDDIR=os.path.join(work, 'dry-run-build'))
    env.pop('CABAL_CONFIG', None)  # the READMEs say where it comes from
    passed = failed = 0

    def subst(text):
        return text.replace('/home/you', home).replace('/path/to/hsomp', root)
    projects = {}   # name -> list of (where, kind, attrs, text)
    programs = []
    shs = []
    srcs = [(os.path.join(root, 'haskell', 'README.md'), None),
            (os.path.join(root, 'README.md'), 'Using hsomp from Haskell')]
    for path, section in srcs:
        rel = os.path.relpath(path, root)
        for line, info, text in blocks(path, section):
            where = '%s:%d' % (rel, line)
            lang = info[0] if info else ''
            a = attrs(info)
            if lang == 'text':
                continue
            if 'file' in a and 'project' in a:
                projects.setdefault(a['project'], []).append((where, 'file', a, text))
            elif lang == 'haskell' and a.get('program'):
                programs.append((where, text))
            elif lang == 'sh':
                if 'project' in a:
                    projects.setdefault(a['project'], []).append((where, 'sh', a, text))
                else:
                    shs.append((where, text))
            else:
                print('  FAIL: %s: a ```%s block with no check (see haskell/test/readme-snippets.py)'
                      % (where, ' '.join(info)))
                failed += 1

    def run(cmd, cwd, what, timeout=900):
        nonlocal passed, failed
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
        out = p.stdout
        if p.returncode == 0:
            print('  ok: ' + what)
            passed += 1
        else:
            print('  FAIL: %s (exit %d):' % (what, p.returncode))
            print('\n'.join('    ' + l for l in out.strip().split('\n')[-30:]))
            failed += 1
        return p.returncode == 0, out

    # Shell blocks outside projects, in README order (the install block
    # fills ~/hsomp-repo for the projects).
    for where, text in shs:
        run(['bash', '-c', SH_PRELUDE + DRY_CABAL + text], root, '%s: sh block ran' % where)

    # The programs: one executable each, in one project, with the C files.
    if programs:
        files = [(w, a, t) for w, k, a, t in projects.pop('programs', []) if k == 'file']
        pdir = os.path.join(work, 'programs')
        os.makedirs(pdir)
        csrcs = []
        for w, a, t in files:
            dst = os.path.join(pdir, a['file'])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            open(dst, 'w').write(t)
            if a['file'].endswith('.c'):
                csrcs.append(a['file'])
        cabal = ['cabal-version: 3.0', 'name: readme-programs', 'version: 0', '']
        for n, (where, text) in enumerate(programs):
            open(os.path.join(pdir, 'Program%d.hs' % n), 'w').write(text)
            cabal += ['executable program%d' % n,
                      '  -- ' + where,
                      '  main-is: Program%d.hs' % n,
                      '  build-depends: base, hsomp, vector, primitive, parallel',
                      '  default-language: Haskell2010',
                      '  c-sources: ' + ' '.join(csrcs) if csrcs else '',
                      '  cc-options: -fopenmp',
                      '  ghc-options: -threaded "-with-rtsopts=-N2 -qg"', '']
        open(os.path.join(pdir, 'readme-programs.cabal'), 'w').write('\n'.join(cabal))
        open(os.path.join(pdir, 'cabal.project'), 'w').write(
            'packages: .\nrepository hsomp-local\n  url: file+noindex://%s/hsomp-repo\n'
            'active-repositories: hsomp-local\n' % home)
        cfg = os.path.join(root, 'haskell', 'cabal-offline.config')
        ok, out = run(['env', 'CABAL_CONFIG=' + cfg, 'cabal', 'build', 'all'], pdir,
                      'the %d README programs built (%s)' % (len(programs), ', '.join(w for w, _ in programs)))
        for n, (where, _) in enumerate(programs):
            if ok:
                run(['env', 'CABAL_CONFIG=' + cfg, 'cabal', 'run', '-v0', 'program%d' % n], pdir,
                    '%s: program ran' % where, timeout=300)

    # User projects: files as printed, then their sh blocks in order.
    for name, items in projects.items():
        pdir = os.path.join(work, 'project-' + name)
        os.makedirs(pdir)
        for where, kind, a, text in items:
            if kind == 'file':
                dst = os.path.join(pdir, a['file'])
                os.makedirs(os.path.dirname(dst) or pdir, exist_ok=True)
                open(dst, 'w').write(subst(text))
        shells = [(w, t) for w, k, a, t in items if k == 'sh']
        if not shells:
            print('  FAIL: project %s has no sh block that builds it' % name)
            failed += 1
        for where, text in shells:
            run(['bash', '-c', SH_PRELUDE + subst(text)], pdir,
                '%s: sh block ran in project %s (%s)' % (where, name,
                ', '.join(a['file'] for w, k, a, t in items if k == 'file')))

    print('readme snippets: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
