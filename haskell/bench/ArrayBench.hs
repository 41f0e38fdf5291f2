{-# OPTIONS_GHC -fno-full-laziness #-}
-- | Benchmarks of HsOmp.Array: handing 10^7 doubles of a Storable vector to
-- an OpenMP C sum (2 threads, test/cbits/array_check.c) with no copy
-- ('withVectorPtr'), against 'withArray' from the vector's list (what
-- "Foreign.Marshal.Array" offers), against one explicit copy ('VS.copy'
-- into a new vector, then 'VSM.unsafeWith'), and against vector's own
-- 'VS.unsafeWith' (no copy either).  'arrayBenchmarks' for criterion,
-- 'arrayTable' for the tables mode.
--
-- Each run builds the list again ('whnfAppIO' applies the way to the vector
-- every run; -fno-full-laziness keeps GHC from floating @VS.toList v@ out
-- of the loop): otherwise every run after the first would reuse the
-- materialised list.
module ArrayBench (arrayBenchmarks, arrayTable) where

import Control.Exception (evaluate)
import Control.Monad
import Criterion.Main
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.C.Types
import Foreign.Marshal.Array (withArray)
import Foreign.Ptr (Ptr, WordPtr (..))
import GHC.Clock (getMonotonicTimeNSec)
import Text.Printf (printf)

import HsOmp.Array (withVectorPtr)

foreign import ccall safe "ac_sum_f64" c_sum_f64 :: Ptr Double -> CLong -> IO Double
foreign import ccall unsafe "ac_address" c_address :: Ptr Double -> IO WordPtr

-- | The ways to hand the vector to the C sum: (name, sum).
ways :: [(String, VS.Vector Double -> IO Double)]
ways =
  [ ("zero-copy: `withVectorPtr`", \v -> withVectorPtr v (sumC v))
  , ("zero-copy: vector's `VS.unsafeWith`", \v -> VS.unsafeWith v (sumC v))
  , ("one copy: `VS.copy` into a new vector, `VSM.unsafeWith`", \v -> do
        mv <- VSM.new (VS.length v)
        VS.copy mv v
        VSM.unsafeWith mv (sumC v))
  , ("`withArray (VS.toList v)`", \v -> withArray (VS.toList v) (sumC v))
  ]
  where
    sumC v p = c_sum_f64 p (fromIntegral (VS.length v))

input :: Int -> VS.Vector Double
input n = VS.generate n (\i -> fromIntegral (i `mod` 1000))

-- | The price of the hand-over alone: an empty unsafe C call that takes
-- the pointer, through 'withVectorPtr' (keepAlive#) and through vector's
-- 'VS.unsafeWith'.
handOvers :: [(String, VS.Vector Double -> IO WordPtr)]
handOvers =
  [ ("`withVectorPtr` + empty unsafe C call", \v -> withVectorPtr v c_address)
  , ("`VS.unsafeWith` + empty unsafe C call", \v -> VS.unsafeWith v c_address)
  ]

-- | criterion: the four ways on 10^7 doubles, and the hand-over alone.
arrayBenchmarks :: IO Benchmark
arrayBenchmarks = do
  v <- evaluate (input 10000000)
  pure $ bgroup "arrays"
    [ bgroup "OpenMP C sum of 10^7 doubles from a Storable vector" [bench name (whnfAppIO f v) | (name, f) <- ways]
    , bgroup "hand-over" [bench name (whnfAppIO f v) | (name, f) <- handOvers]
    ]

-- | The tables mode: best of 5 (the withArray row: best of 3) on 10^7
-- doubles, in ms, with the ratio to 'withVectorPtr'; every sum checked.
arrayTable :: IO ()
arrayTable = do
  let n = 10000000
      expected = fromIntegral (n `div` 1000) * 499500 :: Double
  v <- evaluate (input n)
  rows <- forM ways $ \(name, f) -> do
    let runs = if take 10 name == "`withArray" then 3 else 5 :: Int
    ts <- replicateM runs $ do
      t0 <- getMonotonicTimeNSec
      s <- f v
      t1 <- getMonotonicTimeNSec
      unless (s == expected) $ printf "**ERROR: %s summed %f, not %f**\n" name s expected
      pure (fromIntegral (t1 - t0) / 1e6 :: Double)
    pure (name, minimum ts)
  let base = snd (head rows)
  putStrLn "| how the C sum gets the vector | ms | / zero-copy |\n|---|---:|---:|"
  forM_ rows $ \(name, ms) -> printf "| %s | %.2f | %.1fx |\n" name ms (ms / base)
  putStrLn "\n| the hand-over alone (best of 7 x 10^6) | ns/call |\n|---|---:|"
  forM_ handOvers $ \(name, f) -> do
    ns <- fmap minimum . replicateM 7 $ do
      t0 <- getMonotonicTimeNSec
      replicateM_ 1000000 (f v)
      t1 <- getMonotonicTimeNSec
      pure (fromIntegral (t1 - t0) / 1e6 :: Double)
    printf "| %s | %.1f |\n" name ns
