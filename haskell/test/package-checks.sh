#!/usr/bin/env bash
# package-checks.sh PKG BUILD -- the Haskell package as a user meets it
# (README "Installing the package"), run by ./run's haskell stage after the
# package's own build and tests.  PKG: the package (haskell/); BUILD: the
# stage's build tree (_build/haskell), where the package project is built.
#
# Checks, one "ok:"/"FAIL:" line each, then "package checks: P passed, F failed":
#   cabal check      both packages pass `cabal check`
#   sdist            both sdist tarballs are made (hsomp's carries runtime/**/*.c)
#   store            user project 1 (test/user-project, copied) builds
#                    against the tarballs, served by a file+noindex
#                    repository, with hsomp and hsomp-cmm built into the
#                    cabal store; it runs and prints ": ok"
#   store reuse      user project 2 (a second copy) builds with no package
#                    built (both come from the store) and runs
#   rebuild          project 1 rebuilds after an edit of Main.hs
#   repl library     `cabal repl hsomp` runs a region and a parallel for
#   repl app         `cabal repl exe:user-app` of project 2 runs the same
#                    and the program's main (OpenMP C, slices, inline Cmm)
#   Haddock examples test/haddock-examples.py: every >>> example of the
#                    modules run in cabal repl, its output compared
#   README blocks    test/readme-snippets.py: every code block of both
#                    READMEs' Haskell parts built and run as printed
# The first-build and rebuild times go to stdout (README numbers).
set -uo pipefail
pkg=$(cd "$1" && pwd)
build=$2
mkdir -p "$build"
build=$(cd "$build" && pwd)
store=$build/store-check
offline=$pkg/cabal-offline.config
passed=0 failed=0
ok() { echo "  ok: $*"; passed=$((passed + 1)); }
fail() { echo "  FAIL: $*"; failed=$((failed + 1)); }
# the log's last lines, without cabal's noise about the missing Hackage
show_log() { grep -v '^\[\|No remote package servers\|one specified in the config' "$1" | tail -n "${2:-25}" | sed 's/^/    /'; }

rm -rf "$store"
mkdir -p "$store/repo"

# cabal check
checks=ok
for d in "$pkg" "$pkg/hsomp-cmm"; do
  (cd "$d" && env CABAL_DIR="$store/cabal-dir" CABAL_CONFIG="$offline" cabal check) >"$store/check.log" 2>&1 ||
    { checks=bad; show_log "$store/check.log"; }
done
[ $checks = ok ] && ok "cabal check: hsomp and hsomp-cmm" || fail "cabal check"

# sdist: the tarballs become a local repository (README "Installing the package")
if (cd "$pkg" && env CABAL_DIR="$store/cabal-dir" CABAL_CONFIG="$offline" \
      cabal sdist --builddir="$store/sdist-build" all --output-dir "$store/repo") >"$store/sdist.log" 2>&1 &&
   tar tzf "$store/repo/hsomp-0.1.0.tar.gz" >"$store/sdist.list" &&  # (not | grep -q: pipefail, SIGPIPE)
   grep -q '^hsomp-0.1.0/runtime/team/team.c$' "$store/sdist.list"; then
  ok "sdist: $(cd "$store/repo" && echo *.tar.gz)"
else
  show_log "$store/sdist.log"
  fail "sdist"
fi
{ cat "$offline"; printf 'repository hsomp-local\n  url: file+noindex://%s/repo\n' "$store"; } >"$store/config"

# user_cabal DIR ARGS...: cabal in a user project, with the local repository
user_cabal() {
  local d=$1; shift
  (cd "$d" && env CABAL_DIR="$store/cabal-dir" CABAL_CONFIG="$store/config" cabal "$@")
}
run_app() {
  local app
  app=$(find "$1/dist-newstyle" -type f -name user-app -perm -u+x | head -n 1)
  [ -n "$app" ] && timeout 120 "$app" >"$1/run.log" 2>&1 && grep -q ': ok$' "$1/run.log" && cat "$1/run.log"
}
for p in app1 app2; do
  mkdir -p "$store/$p"
  cp -r "$pkg/test/user-project/Main.hs" "$pkg/test/user-project/cbits" "$pkg/test/user-project/user-app.cabal" "$store/$p/"
  printf 'packages: .\n' >"$store/$p/cabal.project"
done

t0=$SECONDS
if user_cabal "$store/app1" build --offline >"$store/app1/build.log" 2>&1 && run_app "$store/app1"; then
  ok "store: user project 1 built hsomp into the store and ran ($((SECONDS - t0)) s, first build)"
else
  show_log "$store/app1/build.log"; fail "store: user project 1"
fi

t0=$SECONDS
if user_cabal "$store/app2" build --offline >"$store/app2/build.log" 2>&1 && run_app "$store/app2" &&
   ! grep -q '^ - hsomp' "$store/app2/build.log"; then
  ok "store reuse: user project 2 built only itself ($((SECONDS - t0)) s)"
else
  show_log "$store/app2/build.log"; fail "store reuse: user project 2 rebuilt a package or failed"
fi

echo "-- an edit" >>"$store/app1/Main.hs"
t0=$SECONDS
if user_cabal "$store/app1" build --offline >"$store/app1/rebuild.log" 2>&1 && run_app "$store/app1" >/dev/null &&
   ! grep -q '^ - hsomp' "$store/app1/rebuild.log"; then
  ok "rebuild: user project 1 after an edit of Main.hs ($((SECONDS - t0)) s)"
else
  show_log "$store/app1/rebuild.log"; fail "rebuild"
fi

# GHCi: the library in the package's own project, and the user's app
expect_region='ghci region: [(0,3),(1,3),(2,3)]'
expect_for='ghci parallelFor: 1000'
if (cd "$pkg" && env CABAL_DIR="$build/cabal-dir" CABAL_CONFIG="$offline" \
      timeout 300 cabal --builddir="$build" repl --offline hsomp <"$pkg/test/ghci/region.ghci") \
      >"$store/repl-lib.log" 2>&1 &&
   grep -qF "$expect_region" "$store/repl-lib.log" && grep -qF "$expect_for" "$store/repl-lib.log"; then
  ok "repl library: cabal repl hsomp ran an OpenMP region of 3 and a parallel for"
else
  show_log "$store/repl-lib.log"; fail "repl library"
fi
if { cat "$pkg/test/ghci/region.ghci"; echo main; } |
     user_cabal "$store/app2" repl --offline exe:user-app >"$store/repl-app.log" 2>&1 &&
   grep -qF "$expect_region" "$store/repl-app.log" && grep -qF "$expect_for" "$store/repl-app.log" &&
   grep -q '^ghci> user-app: .*: ok$' "$store/repl-app.log"; then
  ok "repl app: cabal repl exe:user-app ran the region, the parallel for and main"
else
  show_log "$store/repl-app.log"; fail "repl app"
fi

# The Haddock examples (>>>) of every module, run in GHCi
if python3 "$pkg/test/haddock-examples.py" "$pkg" "$build" >"$store/haddock-examples.log" 2>&1; then
  ok "Haddock examples: $(tail -n 1 "$store/haddock-examples.log")"
else
  sed 's/^/  /' "$store/haddock-examples.log" | tail -n 40; fail "Haddock examples"
fi

# Every code block of the READMEs, as printed (the store above serves hsomp)
if python3 "$pkg/test/readme-snippets.py" "$pkg/.." "$build/readme-snippets" "$store/cabal-dir" \
     >"$store/readme-snippets.log" 2>&1; then
  ok "README code blocks: $(tail -n 1 "$store/readme-snippets.log")"
else
  sed 's/^/  /' "$store/readme-snippets.log"; fail "README code blocks"
fi

echo "package checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
