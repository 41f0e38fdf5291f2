-- | The hsomp package's benchmark: the README's tables, measured on this
-- machine and printed as Markdown.
--
-- > cabal bench                                   -- the tables (about a minute)
-- > cabal bench --benchmark-options='criterion'   -- criterion on the key kernels
-- > cabal bench --benchmark-options='criterion -o report.html'
--
-- Every table figure is the best of several runs (see test/Measure.hs): on
-- a shared machine the minimum is the figure least disturbed by other load.
-- The load average is printed with the tables.
module Main (main) where

import Control.Concurrent (getNumCapabilities)
import Control.Monad
import Criterion.Main
import qualified Data.Vector.Storable as VS
import Foreign.C.Types
import Foreign.Marshal.Array (allocaArray, pokeArray)
import Foreign.Ptr (nullPtr)
import GHC.Conc (getNumProcessors)
import System.Environment (getArgs, withArgs)
import System.IO
import Text.Printf (printf)

import HsOmp
import HsOmp.Batch
import HsOmp.Prim
import CmmBench (cmmBenchmarks, cmmTable)
import ArrayBench (arrayBenchmarks, arrayTable)
import Kernels
import Measure
import SliceBench (sliceBenchmarks, sliceTable)
import LinearBench (linearBenchmarks, linearTable)
import Stats

main :: IO ()
main = do
  hSetBuffering stdout LineBuffering
  args <- getArgs
  case args of
    "criterion" : rest -> withArgs rest criterionBenchmarks
    _ -> tables

header :: String -> IO ()
header s = putStrLn ("\n### " ++ s ++ "\n")

loadAvg :: IO String
loadAvg = unwords . take 3 . words <$> readFile "/proc/loadavg"

tables :: IO ()
tables = do
  procs <- getNumProcessors
  caps <- getNumCapabilities
  l0 <- loadAvg
  printf "Machine: %d CPUs, %d Capabilities (+RTS -N%d -qg); load average at start %s\n" procs caps caps l0

  header "Calling conventions (ns per call, best of 7 x 10^6 calls)"
  cc <- callCosts 1000000
  let loop = ccLoop cc
      conv :: String -> Double -> IO ()
      conv name t = printf "| %s | %.2f | %.2f |\n" name t (max 0 (t - loop))
  putStrLn "| convention | ns/call, measured | minus the loop |\n|---|---:|---:|"
  conv "empty loop (the measuring harness)" loop
  conv "`foreign import prim` (currentCapabilityPrim)" (ccPrim cc)
  conv "`foreign import prim` (threadNumPrim, cached)" (ccPrimOmp cc)
  conv "`foreign import ccall unsafe` (empty C function)" (ccUnsafe cc)
  conv "`foreign import ccall safe` (empty C function)" (ccSafe cc)

  header "Batched safe calls (ns per C call; empty C function)"
  rows <- batchTable 200000
  putStrLn "| batch N | standard safe | batched safe | speedup | batched / unsafe |\n|---:|---:|---:|---:|---:|"
  forM_ rows $ \r ->
    printf "| %d | %.1f | %.2f | %.1fx | %.2f |\n" (brSize r) (brSafePerCall r) (brBatchedPerCall r)
      (brSafePerCall r / brBatchedPerCall r) (brBatchedPerCall r / ccUnsafe cc)
  let (a, b) = fitBatch rows
  printf "\nFit: batch time = a + b*N with a = %.1f ns (release + re-acquire), b = %.2f ns (one call);\n" a b
  printf "per call (a + b*N)/N: N=1 %.1f, N=10 %.1f, N=100 %.2f ns (aim at N=100: <= 1.5 x unsafe = %.2f ns)\n"
    (a + b) (a / 10 + b) (a / 100 + b) (1.5 * ccUnsafe cc)

  header "Callbacks: C calling Haskell (ns per entry, best of 5 x 10^5)"
  cb <- callbackCosts 100000
  putStrLn "| entry | ns/entry |\n|---|---:|"
  printf "| HsOmp.Callback entry, C loop on the calling thread | %.0f |\n" (cbEntry cb)
  printf "| the same loop in one session (`hs_callback.h`: Capability kept between entries) | %.0f |\n" (cbSession cb)
  printf "| `foreign import ccall \"wrapper\"` FunPtr, same loop | %.0f |\n" (cbWrapper cb)
  printf "| HsOmp.Callback entry from both threads of a team of 2 (wall / per-thread count) | %.0f |\n" (cbWorkers cb)
  printf "| parallelFor, 1 thread, chunk of 1 (per chunk) | %.0f |\n" (cbChunk cb)
  printf "| the same loop with a C body (work share alone) | %.0f |\n" (cbChunkC cb)
  unless (cbCounted cb) $ putStrLn "\n**ERROR: some callback or chunk did not run exactly once**"

  header "Crossover: sequential C via unsafe FFI vs OpenMP (2 threads) via safe FFI (us, best of 9)"
  let sizes = [2 ^ k | k <- [8, 10 .. 22 :: Int]]
  dots <- crossoverDot 9 sizes
  sins <- crossoverSin 9 [2 ^ k | k <- [4, 6 .. 18 :: Int]]
  let table :: String -> [CrossRow] -> IO ()
      table name rs = do
        printf "%s\n\n| n | sequential, unsafe | OpenMP, safe | OpenMP / sequential |\n|---:|---:|---:|---:|\n" name
        forM_ rs $ \r -> printf "| %d | %.2f | %.2f | %.2f |\n" (crN r) (crSeqUnsafe r / 1e3) (crOmpSafe r / 1e3)
                            (crOmpSafe r / crSeqUnsafe r)
        printf "\nCrossover: %s\n\n" (maybe "none in this range" (\n -> "n = " ++ show n) (crossoverAt rs))
  table "Dot product (n doubles)" dots
  table "Sin-sum (n terms)" sins

  header "GHC-native parallelism (forkIO) vs OpenMP: sin-sum of 4*10^6 terms (ms, best of 5)"
  nat <- nativeVsOpenMP 5 caps 4000000
  putStrLn "| how | ms | result |\n|---|---:|---:|"
  forM_ nat $ \r -> printf "| %s | %.1f | %.6f |\n" (nrName r) (nrNs r / 1e6) (nrResult r)

  header "500 small regions (2 threads, 10^5-term sum): latency quiet vs under a GC storm (us)"
  quiet <- regionLatencies 500 100000
  (storm, gcs) <- underGcStorm (regionLatencies 500 100000)
  putStrLn "| | p50 | p99 | max |\n|---|---:|---:|---:|"
  let row :: String -> [Double] -> IO ()
      row name xs = printf "| %s | %.1f | %.1f | %.1f |\n" name (percentile 50 xs / 1e3)
                      (percentile 99 xs / 1e3) (maximum xs / 1e3)
  row "quiet" quiet
  row (printf "GC storm (%d forced GCs + allocating thread)" gcs) storm
  header "Zero-copy arrays (HsOmp.Array): an OpenMP C sum of 10^7 doubles from a Storable vector" >> arrayTable
  header "Disjoint slices (HsOmp.Slice) vs forkIO per chunk vs a sequential loop (best of 7)" >> sliceTable
  header "Linear ownership (HsOmp.Slice.Linear): an irregular workload split by the runtime or by the user (best of 9)" >> linearTable
  header "Inline Cmm (HsOmp.Inline, [cmm| |]) vs unsafe and safe ccalls (ns per call, best of 7 x 10^6 calls)" >> cmmTable 1000000
  l1 <- loadAvg
  printf "\nLoad average at the end: %s\n" l1

-- | criterion on the kernels and calls behind the tables.
criterionBenchmarks :: IO ()
criterionBenchmarks =
  allocaArray 100 $ \arr -> do
    pokeArray arr (replicate 100 nullPtr)
    let n = 1000000
        xs = VS.generate n (\i -> fromIntegral (i `mod` 13)) :: VS.Vector CDouble
        ys = VS.generate n (\i -> fromIntegral (i `mod` 7)) :: VS.Vector CDouble
    setNumThreads 2
    slices <- sliceBenchmarks
    linears <- linearBenchmarks
    arrays <- arrayBenchmarks
    cmms <- cmmBenchmarks
    defaultMain
      [ bgroup "call"
          [ bench "prim currentCapabilityPrim" (whnfIO currentCapabilityPrim)
          , bench "unsafe noop" (whnfIO (c_noop_unsafe nullPtr))
          , bench "safe noop" (whnfIO (c_noop_safe nullPtr))
          , bench "batched 100 noops" (whnfIO (batchMapArray p_noop arr 100))
          ]
      , bgroup "dot 10^6"
          [ bench "sequential C, unsafe" (whnfIO (VS.unsafeWith xs $ \px -> VS.unsafeWith ys $ \py -> c_dot_seq px py (fromIntegral n)))
          , bench "OpenMP C, safe" (whnfIO (VS.unsafeWith xs $ \px -> VS.unsafeWith ys $ \py -> c_dot px py (fromIntegral n)))
          ]
      , bgroup "sin-sum 10^6"
          [ bench "sequential C, unsafe" (whnfIO (c_sin_sum_seq 1000000))
          , bench "OpenMP C, safe" (whnfIO (c_sin_sum 1000000))
          , bench "Haskell, 1 thread" (whnf (sinSumHaskell 0) 1000000)
          ]
      , cmms
      , slices
      , linears
      , arrays
      ]
