{-# LANGUAGE BangPatterns #-}
-- | hsomp-dataparallel: a dense numerical kernel whose data lives in
-- Haskell vectors and whose loops run as OpenMP C on the program's own
-- Capabilities.
--
-- The kernel is a blocked matrix multiply C = A * B of n x n doubles
-- (row-major Storable vectors; default n = 512).  Each variant in
-- 'variants' computes C from A and B; the first is the single-threaded
-- Haskell baseline, whose result the others must equal (max abs diff; the
-- inputs are small multiples of 1/8 and 1/4, so every summation order gives
-- the exact same result).  The program prints one table row per variant:
-- best time of a few runs, speedup over the baseline, GFLOP/s, max abs
-- diff, and exits with status 1 if any result differs.
--
-- > cabal run --offline hsomp-dataparallel -- [n] +RTS -N2 -qg
--
-- To add a variant (e.g. the same kernel written with another API), add
-- one @(name, A -> B -> IO C)@ entry to 'variants'.
module Main (main) where

import Control.Concurrent (getNumCapabilities, runInBoundThread)
import Control.Exception (evaluate)
import Control.Monad
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.C.Types
import Foreign.Ptr (Ptr)
import GHC.Clock (getMonotonicTimeNSec)
import System.Environment (getArgs)
import System.Exit (exitFailure)
import Text.Printf (printf)

import HsOmp (numProcs, withNumThreads)
import HsOmp.Array (withMVectorPtr, withVectorPtr)
import MatmulSlices (matmulSlices)

-- | An n x n matrix of doubles, row-major: element (i, j) at i * n + j.
data Matrix = Matrix
  { matN :: !Int
  , matData :: !(VS.Vector Double)
  }

-- | A way to compute A * B.
type Variant = (String, Matrix -> Matrix -> IO Matrix)

-- | The variants, baseline first.  @caps@ is the team size for the parallel
-- ones (the program's Capabilities).
variants :: Int -> [Variant]
variants caps =
  [ ("Haskell, plain loops over Storable vectors, 1 thread (baseline)", matmulHaskell)
  , ("C blocked, 1 thread (HsOmp.Array zero-copy, safe call)", matmulOpenMP 1)
  , (printf "OpenMP C blocked, %d threads (HsOmp.Array zero-copy, safe call)" caps, matmulOpenMP caps)
  , ("Haskell blocked, 1 thread (HsOmp.Slice: rows of C per body)", matmulSlice 1)
  , (printf "Haskell blocked, %d threads (HsOmp.Slice: rows of C per body)" caps, matmulSlice caps)
  ]

-- | The same blocked kernel written in Haskell with the slice API
-- (demo/MatmulSlices.hs), run on the OpenMP team.
matmulSlice :: Int -> Matrix -> Matrix -> IO Matrix
matmulSlice threads (Matrix n a) (Matrix _ b) = Matrix n <$> matmulSlices threads n a b

foreign import ccall safe "dp_matmul_blocked"
  c_matmul_blocked :: Ptr Double -> Ptr Double -> Ptr Double -> CLong -> CInt -> IO ()

-- | The OpenMP C kernel on a team of @threads@: A, B and C are passed as
-- pointers into the vectors' own memory (no copy); C is written in place
-- into a new mutable vector, then frozen without a copy.
matmulOpenMP :: Int -> Matrix -> Matrix -> IO Matrix
matmulOpenMP threads (Matrix n a) (Matrix _ b) = do
  c <- VSM.new (n * n)
  withVectorPtr a $ \pa -> withVectorPtr b $ \pb -> withMVectorPtr c $ \pc ->
    c_matmul_blocked pa pb pc (fromIntegral n) (fromIntegral threads)
  Matrix n <$> VS.unsafeFreeze c

-- | The baseline: plain Haskell loops (i, k, j order, so the inner loop
-- runs along rows of B and C) over Storable vectors, one thread.
matmulHaskell :: Matrix -> Matrix -> IO Matrix
matmulHaskell (Matrix n a) (Matrix _ b) = do
  c <- VSM.replicate (n * n) 0
  let rows !i
        | i >= n = pure ()
        | otherwise = ks i 0 >> rows (i + 1)
      ks !i !k
        | k >= n = pure ()
        | otherwise = do
            js (i * n) (k * n) (VS.unsafeIndex a (i * n + k)) 0
            ks i (k + 1)
      js !ci !bk !aik !j
        | j >= n = pure ()
        | otherwise = do
            x <- VSM.unsafeRead c (ci + j)
            VSM.unsafeWrite c (ci + j) (x + aik * VS.unsafeIndex b (bk + j))
            js ci bk aik (j + 1)
  rows 0
  Matrix n <$> VS.unsafeFreeze c

-- | Inputs whose products and sums are exact in doubles.
inputs :: Int -> (Matrix, Matrix)
inputs n =
  ( Matrix n (VS.generate (n * n) (\x -> let (i, j) = x `divMod` n in fromIntegral ((i * 7 + j * 3) `mod` 17 - 8) / 8))
  , Matrix n (VS.generate (n * n) (\x -> let (i, j) = x `divMod` n in fromIntegral ((i * 5 + j * 11) `mod` 13 - 6) / 4))
  )

-- | Best wall time (ms) of @runs@ runs, and the last result.
timed :: Int -> IO Matrix -> IO (Double, Matrix)
timed runs act = do
  rs <- forM [1 .. runs] $ \_ -> do
    t0 <- getMonotonicTimeNSec
    m <- act
    _ <- evaluate (VS.last (matData m))
    t1 <- getMonotonicTimeNSec
    pure (fromIntegral (t1 - t0) / 1e6, m)
  pure (minimum (map fst rs), snd (last rs))

maxAbsDiff :: Matrix -> Matrix -> Double
maxAbsDiff (Matrix _ x) (Matrix _ y) = VS.maximum (VS.zipWith (\p q -> abs (p - q)) x y)

main :: IO ()
main = runInBoundThread $ do
  args <- getArgs
  let n = case args of
        [s] | [(v, "")] <- reads s, v > 0 -> v
        _ -> 512
      runs = 5
  caps <- getNumCapabilities
  cpus <- numProcs
  load <- takeWhile (/= ' ') <$> readFile "/proc/loadavg"
  let (a, b) = inputs n
      flops = 2 * fromIntegral n ^ (3 :: Int) :: Double
  _ <- evaluate (VS.last (matData a) + VS.last (matData b))
  printf "Blocked matrix multiply C = A * B, n = %d (doubles, row-major Storable vectors), best of %d runs\n" n runs
  printf "%d Capabilities, %d CPUs, load average %s\n\n" caps cpus load
  printf "| variant | ms | speedup | GFLOP/s | max abs diff |\n|---|---:|---:|---:|---:|\n"
  results <- withNumThreads caps $ forM (variants caps) $ \(name, f) -> do
    (ms, c) <- timed runs (f a b)
    pure (name, ms, c)
  let (_, baseMs, reference) = head results
  bad <- fmap concat . forM results $ \(name, ms, c) -> do
    let d = maxAbsDiff reference c
    printf "| %s | %.1f | %.2fx | %.2f | %.3g |\n" name ms (baseMs / ms) (flops / ms / 1e6) d
    pure [name | d > 1e-9 || matN c /= n]
  if null bad
    then putStrLn "\nhsomp-dataparallel: every variant agrees with the Haskell baseline"
    else do
      printf "\nhsomp-dataparallel: CHECK FAILED: %s differ from the baseline\n" (show bad)
      exitFailure
