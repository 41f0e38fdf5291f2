{-# LANGUAGE MagicHash #-}
{-# LANGUAGE UnboxedTuples #-}
-- | Inline Cmm against the FFI: the same tiny operation (an add of two
-- words; the OpenMP thread number) as an inline-Cmm @foreign import prim@,
-- an unsafe ccall and a safe ccall, and N C calls as one 'batchApply'
-- against N safe calls.
module CmmBench
  ( cmmBenchmarks
  , cmmTable
  ) where

import Control.Concurrent (runInBoundThread)
import Control.Monad
import Criterion.Main
import Foreign.C.Types (CInt (..), CIntPtr (..), CLong (..))
import Foreign.Marshal.Alloc (free, malloc)
import Foreign.Ptr (FunPtr, Ptr)
import Foreign.Storable (poke)
import GHC.Exts (Int (I#))
import GHC.IO (IO (IO))
import Text.Printf (printf)

import HsOmp.Inline

import HsOmp.Cmm.Examples (cmmAdd#)
import Stats (perCallNs)

foreign import ccall unsafe "cmm_bench_add" c_add_unsafe :: CLong -> CLong -> IO CLong
foreign import ccall safe "cmm_bench_add" c_add_safe :: CLong -> CLong -> IO CLong
foreign import ccall unsafe "omp_get_thread_num" c_thread_num_unsafe :: IO CInt
foreign import ccall safe "omp_get_thread_num" c_thread_num_safe :: IO CInt
foreign import ccall "&cmm_test_tick" p_tick :: FunPtr (Ptr CLong -> IO CIntPtr)
foreign import ccall safe "cmm_test_tick" c_tick_safe :: Ptr CLong -> IO CIntPtr

cmmAdd :: Int -> Int -> IO Int
cmmAdd (I# x) (I# y) = IO (\s -> case cmmAdd# x y s of (# s', r #) -> (# s', I# r #))
{-# INLINE cmmAdd #-}

-- | criterion: add and thread number, three ways each; 100 calls batched
-- and as 100 safe calls (on a counter allocated here and never freed).
cmmBenchmarks :: IO Benchmark
cmmBenchmarks = do
  counter <- malloc
  poke counter 0
  pure (bgroup "inline cmm" (cmmGroups counter))

cmmGroups :: Ptr CLong -> [Benchmark]
cmmGroups counter =
  [ bgroup "add"
      [ bench "inline Cmm prim" (whnfIO (cmmAdd 20 22))
      , bench "unsafe ccall" (whnfIO (c_add_unsafe 20 22))
      , bench "safe ccall" (whnfIO (c_add_safe 20 22))
      ]
  , bgroup "omp_get_thread_num"
      [ bench "inline Cmm prim (ccall inside)" (whnfIO threadNumInline)
      , bench "unsafe ccall" (whnfIO c_thread_num_unsafe)
      , bench "safe ccall" (whnfIO c_thread_num_safe)
      ]
  , bgroup "100 C calls"
      [ bench "batchApply (one release)" (whnfIO (batchApply p_tick counter 100))
      , bench "100 safe ccalls" (whnfIO (replicateM_ 100 (c_tick_safe counter)))
      ]
  ]

-- | The README table: ns per call (best of 7 runs of n calls; the
-- measuring loop's own cost included, as in the other call tables).
cmmTable :: Int -> IO ()
cmmTable n = runInBoundThread $ do
  counter <- malloc
  poke counter 0
  loop <- perCallNs n (pure ())
  addP <- perCallNs n (void (cmmAdd 20 22))
  addU <- perCallNs n (void (c_add_unsafe 20 22))
  addS <- perCallNs n (void (c_add_safe 20 22))
  tnP <- perCallNs n (void threadNumInline)
  tnU <- perCallNs n (void c_thread_num_unsafe)
  tnS <- perCallNs n (void c_thread_num_safe)
  let b = 100
  batched <- (/ fromIntegral b) <$> perCallNs (n `div` b) (void (batchApply p_tick counter b))
  safeN <- (/ fromIntegral b) <$> perCallNs (n `div` b) (replicateM_ b (void (c_tick_safe counter)))
  free counter
  putStrLn "| operation | inline Cmm prim | unsafe ccall | safe ccall | unsafe / prim | safe / prim |\n|---|---:|---:|---:|---:|---:|"
  let row :: String -> Double -> Double -> Double -> IO ()
      row name p u s = printf "| %s | %.2f | %.2f | %.2f | %.2f | %.1f |\n" name p u s (u / p) (s / p)
  row "add two words" addP addU addS
  row "omp_get_thread_num (the prim makes an unsafe call)" tnP tnU tnS
  printf "\n| 100 C calls (ns per call) | batchApply | 100 safe ccalls | ratio |\n|---|---:|---:|---:|\n"
  printf "| `cmm_test_tick` | %.2f | %.2f | %.1f |\n" batched safeN (safeN / batched)
  printf "\n(the measuring loop alone: %.2f ns per iteration)\n" loop
