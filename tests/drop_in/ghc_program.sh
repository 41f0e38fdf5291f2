# A GHC program (static RTS, GHC's default) calling OpenMP C code built
# against libgomp.so.1, run unmodified through hsomp-run: hsomp must use the
# program's own RTS (Note [One RTS], src/ghc/rts_program.c), not boot the
# shared RTS it is linked with.  With +RTS -N3 and 2 OpenMP threads, hsomp
# sees 3 Capabilities (a second RTS would have booted with -N2), the OpenMP
# threads' Haskell callbacks run on the program's Capabilities, there is
# one hsomp worker for the team of 2, and nothing is said.  The same
# program stripped of its symbol table must say once that a second RTS
# runs, and still compute.
# TEST-TIMEOUT: 240
# TEST-NO-SANITIZER
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ghc=$(command -v ghc) || { echo "ghc is not installed" >&2; exit 1; }
cat >"$tmp/omp.c" <<'C'
#include <dlfcn.h>
#include <omp.h>
int omp_team(void (*cb)(int), int n) {
  int team = 0;
#pragma omp parallel num_threads(n)
  {
    cb(omp_get_thread_num());
#pragma omp single
    team = omp_get_num_threads();
  }
  return team;
}
int hsomp_caps(void) {
  int (*f)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_num_capabilities");
  return f ? f() : -1;
}
C
cat >"$tmp/Main.hs" <<'HS'
import Control.Concurrent
import Control.Monad
import Data.IORef
import Data.List (isPrefixOf, nub, sort)
import Foreign.C.Types
import Foreign.Ptr
import System.Directory (listDirectory)
foreign import ccall safe "omp_team" c_team :: FunPtr (CInt -> IO ()) -> CInt -> IO CInt
foreign import ccall unsafe "hsomp_caps" c_caps :: IO CInt
foreign import ccall "wrapper" mk :: (CInt -> IO ()) -> IO (FunPtr (CInt -> IO ()))
threadNames :: IO [String]
threadNames = do
  ts <- listDirectory "/proc/self/task"
  forM ts $ \t -> takeWhile (/= '\n') <$> readFile ("/proc/self/task/" ++ t ++ "/comm")
main :: IO ()
main = do
  n <- getNumCapabilities
  seen <- newIORef []
  cb <- mk (\t -> do (c, _) <- threadCapability =<< myThreadId
                     atomicModifyIORef' seen (\l -> ((fromIntegral t :: Int, c) : l, ())))
  team <- replicateM 20 (c_team cb 2)
  calls <- readIORef seen
  hc <- c_caps
  names <- threadNames
  let workers = length (filter ("hsomp-w" `isPrefixOf`) names)
      tickers = length (filter (== "ghc_ticker") names)
  putStrLn ("caps=" ++ show n ++ " hsomp_caps=" ++ show hc ++ " team=" ++ show (nub team)
            ++ " callbacks=" ++ show (length calls) ++ " on_caps=" ++ show (sort (nub (map snd calls)))
            ++ " workers=" ++ show workers ++ " tickers=" ++ show tickers)
HS
(cd "$tmp" && "$ghc" -O -threaded -rtsopts Main.hs omp.c -optc-fopenmp -lgomp -ldl -v0 -o prog) ||
  { echo "building the GHC program failed" >&2; exit 1; }

out=$("$tmp/prog" +RTS -N3 -RTS 2>&1) || { echo "on libgomp: $out" >&2; exit 1; }
case "$out" in "caps=3 hsomp_caps=-1 team=[2] callbacks=40 "*) ;;
  *) echo "on libgomp: '$out'" >&2; exit 1 ;; esac

out=$("$HSOMP_RUN" --threads 2 "$tmp/prog" +RTS -N3 -RTS 2>"$tmp/err") ||
  { echo "on hsomp: $out $(cat "$tmp/err")" >&2; exit 1; }
echo "on hsomp: $out"
case "$out" in "caps=3 hsomp_caps=3 team=[2] callbacks=40 on_caps="*" workers=1 tickers=1") ;;
  *) echo "on hsomp, expected the program's 3 Capabilities, one worker, one ticker: '$out'" >&2
     cat "$tmp/err" >&2; exit 1 ;; esac
[ ! -s "$tmp/err" ] || { echo "on hsomp, unexpected output on stderr:" >&2; cat "$tmp/err" >&2; exit 1; }

# stripped: no symbol table to find the RTS in; said once, still computes
strip -o "$tmp/prog-stripped" "$tmp/prog"
out=$("$HSOMP_RUN" --threads 2 "$tmp/prog-stripped" +RTS -N3 -RTS 2>"$tmp/err") ||
  { echo "stripped, on hsomp: $out $(cat "$tmp/err")" >&2; exit 1; }
case "$out" in *" team=[2] callbacks=40 "*) ;;
  *) echo "stripped, on hsomp: '$out'" >&2; exit 1 ;; esac
n=$(grep -c "second GHC RTS" "$tmp/err" || true)
[ "$n" -eq 1 ] || { echo "stripped: expected one warning about a second RTS, got:" >&2; cat "$tmp/err" >&2; exit 1; }
echo "the GHC program runs on its own RTS through hsomp-run; stripped, it is told once"
