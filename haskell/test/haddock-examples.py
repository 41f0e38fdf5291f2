#!/usr/bin/env python3
"""haddock-examples.py -- run the Haddock `>>>` examples of the package in GHCi.

    haddock-examples.py PKG BUILD

PKG: the package (haskell/); BUILD: the build tree of the haskell stage.
doctest is packaged in Debian (libghc-doctest-dev) but interprets every
module, and GHCi's interpreter cannot run `foreign import prim` (HsOmp.Prim,
HsOmp.Inline, HsOmp.Batch): this checker instead feeds the examples to
`cabal repl hsomp`, which compiles those modules to object code.

Each `-- >>> expr` line of a module under src/ (and hsomp-cmm/src) is run in
a GHCi context of that module's exports plus the imports every example may
use (below, IMPORTS); the comment lines that follow it up to a blank comment
line or the next `>>>` are its expected output, compared line by line
(trailing spaces ignored).  An example with no expected output must print
nothing and raise nothing.  Examples of one module run in order, in one
session, so an example may bind a name (`x <- ...`) that a later one uses.
Code that only illustrates (with names the reader supplies) is written as
`-- > code`, which Haddock shows the same way and this checker skips.
Prints one line per failing example and "haddock examples: P passed, F failed".
"""
import os
import re
import subprocess
import sys

IMPORTS = [
    'import qualified Data.Vector.Storable as VS',
    'import qualified Data.Vector.Storable.Mutable as VSM',
    'import qualified Data.Vector.Unboxed',
    'import qualified Data.Vector.Primitive as VP',
    'import Data.IORef',
    'import Control.Monad.ST (runST)',
    'import Foreign.Ptr',
    'import Foreign.C.Types',
    'import GHC.Exts (Int (I#))',
    'import GHC.IO (IO (..))',
    'import HsOmp.Schedule',
    'import Control.Concurrent (myThreadId, threadCapability)',
]
MARK = '@@example'
EX = re.compile(r'^\s*-- >>> (.*)$')
COMMENT = re.compile(r'^\s*--( (.*))?$')


def examples(path):
    """(line, expr, expected lines) of the >>> examples of one module."""
    lines = open(path, encoding='utf-8').read().split('\n')
    out = []
    i = 0
    while i < len(lines):
        m = EX.match(lines[i])
        if not m:
            i += 1
            continue
        expr, expected = m.group(1), []
        j = i + 1
        while j < len(lines):
            if EX.match(lines[j]):
                break
            c = COMMENT.match(lines[j])
            if not c or not (c.group(2) or '').strip() or (c.group(2) or '').startswith('>'):
                break
            expected.append(c.group(2).rstrip())
            j += 1
        out.append((i + 1, expr, expected))
        i = j
    return out


def module_name(root, path):
    return os.path.relpath(path, root)[:-3].replace(os.sep, '.')


def main():
    pkg, build = (os.path.abspath(a) for a in sys.argv[1:3])
    mods = []
    for root in (os.path.join(pkg, 'src'), os.path.join(pkg, 'hsomp-cmm', 'src')):
        for d, _, fs in sorted(os.walk(root)):
            for f in sorted(fs):
                if f.endswith('.hs'):
                    p = os.path.join(d, f)
                    exs = examples(p)
                    if exs:
                        mods.append((module_name(root, p), os.path.relpath(p, pkg), exs))
    script = [':set -XScopedTypeVariables', ':set -XMagicHash', ':set -XUnboxedTuples']
    index = []
    for mod, rel, exs in mods:
        if mod == 'HsOmp.Slice.Internal':
            continue  # not exposed
        script.append(':module ' + mod)
        script.extend(IMPORTS)
        for line, expr, expected in exs:
            script.append('putStrLn "%s %d"' % (MARK, len(index)))
            script.append(expr)
            index.append((rel, line, expr, expected))
    script.append('putStrLn "%s %d"' % (MARK, len(index)))
    env = dict(os.environ, CABAL_DIR=os.path.join(build, 'cabal-dir'),
               CABAL_CONFIG=os.path.join(pkg, 'cabal-offline.config'))
    # 2 Capabilities and a default team of 2, which the examples' outputs assume;
    # -fno-ghci-sandbox: statements run in the main thread, a bound one, so
    # OpenMP settings (per OS thread) persist from one example to the next
    env['OMP_NUM_THREADS'] = '2'
    p = subprocess.run(['timeout', '900', 'cabal', '--builddir=' + build, 'repl', '--offline', 'hsomp',
                        '--repl-options=-ignore-dot-ghci', '--repl-options=-fno-ghci-sandbox', '--repl-options=+RTS', '--repl-options=-N2',
                        '--repl-options=-RTS'],
                       cwd=pkg, env=env, input='\n'.join(script) + '\n', stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    out = p.stdout.replace('ghci> ', '').split('\n')
    got = {}
    cur = None
    for l in out:
        m = re.match(r'^%s (\d+)$' % MARK, l.strip())
        if m:
            cur = int(m.group(1))
            got[cur] = []
        elif cur is not None:
            got[cur].append(l.rstrip())
    passed = failed = 0
    if len(index) not in got:
        print('  FAIL: the GHCi session did not reach the end; its output ends:')
        print('\n'.join('    ' + l for l in out[-30:]))
        failed += 1
    for k, (rel, line, expr, expected) in enumerate(index):
        seen = got.get(k)
        if seen is None:
            continue
        # GHCi's own lines: loading messages of a module, empty lines
        seen = [l for l in seen if l.strip() and not l.startswith('Ok, ')
                and not re.match(r'^\[\s*\d+ of \d+\] Compiling', l)]
        if seen == expected:
            passed += 1
        else:
            failed += 1
            print('  FAIL: %s:%d: >>> %s' % (rel, line, expr))
            print('    expected: %r' % expected)
            print('    got:      %r' % seen[:12])
    print('haddock examples: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
