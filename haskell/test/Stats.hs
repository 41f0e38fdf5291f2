-- | Small measuring helpers for the tests and benchmarks: monotonic time,
-- percentiles, best-of-k timing and a least-squares line fit.
module Stats
  ( nowNs
  , timeNs
  , percentile
  , bestOf
  , perCallNs
  , medianMs
  , fitLine
  ) where

import Data.List (sort)
import Data.Word (Word64)
import GHC.Clock (getMonotonicTimeNSec)

-- | Monotonic clock in nanoseconds.
nowNs :: IO Word64
nowNs = getMonotonicTimeNSec

-- | Wall time of an action in nanoseconds, with its result.
timeNs :: IO a -> IO (a, Double)
timeNs act = do
  t0 <- nowNs
  r <- act
  t1 <- nowNs
  pure (r, fromIntegral (t1 - t0))

-- | The p-th percentile (0..100) of a non-empty sample (nearest rank).
percentile :: Double -> [Double] -> Double
percentile p xs =
  let s = sort xs
      n = length s
      k = max 0 (min (n - 1) (ceiling (p / 100 * fromIntegral n) - 1))
  in s !! k

-- | The smallest of k measurements: on a shared machine the minimum is the
-- figure least disturbed by other load.
bestOf :: Int -> IO Double -> IO Double
bestOf k m = minimum <$> mapM (const m) [1 .. k]

-- | Milliseconds of the median of k runs of @act@ (the upper median for
-- an even k).
medianMs :: Int -> IO () -> IO Double
medianMs k act = do
  ts <- mapM (const (snd <$> timeNs act)) [1 .. k]
  pure (sort ts !! (k `div` 2) / 1e6)

-- | Nanoseconds per call of @act@, run @n@ times in a loop, best of 7.
perCallNs :: Int -> IO () -> IO Double
perCallNs n act = bestOf 7 $ do
  (_, t) <- timeNs (loop n)
  pure (t / fromIntegral n)
  where
    loop 0 = pure ()
    loop i = act >> loop (i - 1)

-- | Least-squares fit of y = a + b x; returns (a, b).
fitLine :: [(Double, Double)] -> (Double, Double)
fitLine pts =
  let n = fromIntegral (length pts)
      sx = sum (map fst pts)
      sy = sum (map snd pts)
      sxx = sum [x * x | (x, _) <- pts]
      sxy = sum [x * y | (x, y) <- pts]
      b = (n * sxy - sx * sy) / (n * sxx - sx * sx)
      a = (sy - b * sx) / n
  in (a, b)
