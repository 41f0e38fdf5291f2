{-# LANGUAGE BangPatterns #-}
-- | Benchmarks of HsOmp.Slice: the same element-wise body and the same
-- reduction over 10^7 doubles as a slice loop on the OpenMP team, as
-- forkIO-per-chunk (one chunk per Capability, forkOn, MVar join), and as a
-- sequential loop.  'sliceBenchmarks' for criterion, 'sliceTable' for the
-- tables mode.
module SliceBench (sliceBenchmarks, sliceTable, bestMs) where

import Control.Concurrent
import Control.DeepSeq (NFData (..))
import Control.Exception (evaluate)
import Control.Monad
import Criterion.Main
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import GHC.Clock (getMonotonicTimeNSec)
import Text.Printf (printf)

import HsOmp (Schedule (..))
import HsOmp.Slice (Split (..), parallelReduce, parallelSlices_, split)
import qualified HsOmp.Slice as S

-- | The element-wise body: memory-bound (one read, one write, a sqrt).
step :: Double -> Double
step x = sqrt (x * x + 1) * 0.5
{-# INLINE step #-}

-- | The reduction's term: compute-bound (a sin per element).
term :: Double -> Double
term x = sin x * x
{-# INLINE term #-}

data Input = Input !(VS.Vector Double) !(VSM.IOVector Double)

-- criterion's env wants NFData; both vectors are strict fields of unboxed
-- elements.
instance NFData Input where
  rnf (Input _ _) = ()

newInput :: Int -> IO Input
newInput n = do
  let xs = VS.generate n (\i -> fromIntegral (i `mod` 1000) * 1.0e-3)
  v <- VS.thaw xs
  pure (Input xs v)

------------------------------------------------------------------------------
-- The three ways to run each kernel

mapSlices :: Int -> Schedule -> Input -> IO ()
mapSlices t sched (Input xs v) =
  parallelSlices_ (split sched) {splitThreads = Just t} v $ \sl ->
    S.forSlice sl $ \i -> S.write sl i (step (VS.unsafeIndex xs (S.globalIndex i)))

sumSlices :: Int -> Schedule -> Input -> IO Double
sumSlices t sched (Input _ v) =
  parallelReduce (split sched) {splitThreads = Just t} v (+) 0 $ \sl ->
    S.foldSlice sl 0 $ \acc i -> (\x -> acc + term x) <$> S.read sl i

mapRange :: VS.Vector Double -> VSM.IOVector Double -> Int -> Int -> IO ()
mapRange xs v = go
  where
    go :: Int -> Int -> IO ()
    go !i !hi
      | i >= hi = pure ()
      | otherwise = VSM.unsafeWrite v i (step (VS.unsafeIndex xs i)) >> go (i + 1) hi
{-# INLINE mapRange #-}

sumRange :: VSM.IOVector Double -> Int -> Int -> IO Double
sumRange v lo hi = go 0 lo
  where
    go :: Double -> Int -> IO Double
    go !acc !i
      | i >= hi = pure acc
      | otherwise = VSM.unsafeRead v i >>= \x -> go (acc + term x) (i + 1)
{-# INLINE sumRange #-}

-- | One chunk per Capability, each a forkOn'ed thread, joined on MVars.
forkChunks :: Int -> Int -> (Int -> Int -> IO a) -> IO [a]
forkChunks caps n body = do
  vars <- forM [0 .. caps - 1] $ \c -> do
    mv <- newEmptyMVar
    let lo = n * c `quot` caps
        hi = n * (c + 1) `quot` caps
    _ <- forkOn c (body lo hi >>= \ !r -> putMVar mv r)
    pure mv
  mapM takeMVar vars

mapFork :: Int -> Input -> IO ()
mapFork caps (Input xs v) = void (forkChunks caps (VSM.length v) (mapRange xs v))

sumFork :: Int -> Input -> IO Double
sumFork caps (Input _ v) = sum <$> forkChunks caps (VSM.length v) (sumRange v)

mapSeq :: Input -> IO ()
mapSeq (Input xs v) = mapRange xs v 0 (VSM.length v)

sumSeq :: Input -> IO Double
sumSeq (Input _ v) = sumRange v 0 (VSM.length v)

------------------------------------------------------------------------------

size, smallSize :: Int
size = 10000000
smallSize = 10000

-- | criterion: @slices/10^7 doubles/...@ and @slices/10^4 doubles (fork/join cost)/...@.
sliceBenchmarks :: IO Benchmark
sliceBenchmarks = do
  caps <- getNumCapabilities
  pure $ bgroup "slices"
    [ env (newInput size) $ \inp -> bgroup "10^7 doubles"
    [ bgroup "map sqrt"
        [ bench "sequential loop" (whnfIO (mapSeq inp))
        , bench "slices, 1 thread" (whnfIO (mapSlices 1 Static inp))
        , bench (printf "slices, Static, %d threads" caps) (whnfIO (mapSlices caps Static inp))
        , bench (printf "slices, Dynamic 65536, %d threads" caps) (whnfIO (mapSlices caps (Dynamic 65536) inp))
        , bench (printf "forkIO per chunk, %d Capabilities" caps) (whnfIO (mapFork caps inp))
        ]
    , bgroup "sum sin"
        [ bench "sequential loop" (whnfIO (sumSeq inp))
        , bench "slices, 1 thread" (whnfIO (sumSlices 1 Static inp))
        , bench (printf "slices, Static, %d threads" caps) (whnfIO (sumSlices caps Static inp))
        , bench (printf "slices, Dynamic 65536, %d threads" caps) (whnfIO (sumSlices caps (Dynamic 65536) inp))
        , bench (printf "forkIO per chunk, %d Capabilities" caps) (whnfIO (sumFork caps inp))
        ]
    ]
    , env (newInput smallSize) $ \inp -> bgroup "10^4 doubles (fork/join cost)"
        [ bench "sequential loop" (whnfIO (mapSeq inp))
        , bench (printf "slices, Static, %d threads" caps) (whnfIO (mapSlices caps Static inp))
        , bench (printf "forkIO per chunk, %d Capabilities" caps) (whnfIO (mapFork caps inp))
        ]
    ]

-- | Best of n runs, in ms.  The result is forced: a sum nobody looks at
-- would let GHC drop the loop's reads and its sins.
bestMs :: Int -> IO a -> IO Double
bestMs n act = minimum <$> replicateM n (do
  t0 <- getMonotonicTimeNSec
  _ <- act >>= evaluate
  t1 <- getMonotonicTimeNSec
  pure (fromIntegral (t1 - t0) / 1e6))

-- | The tables mode's table: ms (best of 7) and the ratio to the
-- sequential loop, for both kernels.
sliceTable :: IO ()
sliceTable = do
  caps <- getNumCapabilities
  inp <- newInput size
  let rows =
        [ ("sequential loop", mapSeq inp, sumSeq inp)
        , ("slices, 1 thread", mapSlices 1 Static inp, sumSlices 1 Static inp)
        , (printf "slices, Static, %d threads" caps, mapSlices caps Static inp, sumSlices caps Static inp)
        , (printf "slices, Dynamic 65536, %d threads" caps, mapSlices caps (Dynamic 65536) inp, sumSlices caps (Dynamic 65536) inp)
        , (printf "forkIO per chunk, %d Capabilities" caps, mapFork caps inp, sumFork caps inp)
        ]
  times <- forM rows $ \(name, m, s) -> do
    tm <- bestMs 7 m
    ts <- bestMs 7 s
    pure (name :: String, tm, ts)
  sums <- sequence [sumSeq inp, sumSlices caps Static inp, sumSlices caps (Dynamic 65536) inp, sumFork caps inp]
  let (_, m0, s0) = head times
      agree = all (\x -> abs (x - head sums) <= 1e-9 * abs (head sums)) sums
  putStrLn "| 10^7 doubles | map sqrt, ms | / sequential | sum sin, ms | / sequential |\n|---|---:|---:|---:|---:|"
  forM_ times $ \(name, tm, ts) ->
    printf "| %s | %.1f | %.2f | %.1f | %.2f |\n" name tm (tm / m0) ts (ts / s0)
  small <- newInput smallSize
  [us0, us1, us2] <- forM [mapSeq small, mapSlices caps Static small, mapFork caps small] $ \act ->
    (* 1000) <$> bestMs 101 act
  printf "\nFork/join cost, map sqrt on 10^4 doubles (us, best of 101): sequential %.1f, slices on %d threads %.1f, forkIO per chunk %.1f\n"
    us0 caps us1 us2
  unless agree $ printf "\n**ERROR: the sums differ: %s**\n" (show sums)
