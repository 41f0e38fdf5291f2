{-# LANGUAGE BangPatterns #-}
{-# LANGUAGE LinearTypes #-}
-- | An irregular workload for HsOmp.Slice.Linear's tests and benchmark: the
-- product @y = L x@ of a lower-triangular @n x n@ matrix (packed by rows:
-- row @i@ has @i + 1@ elements) with a vector.  Row @i@ costs @i + 1@
-- multiply-adds, so equal ranges of rows are unequal work: the last half of
-- the rows holds three quarters of it.
--
-- The same row body runs four ways: sequentially; as 'HsOmp.Slice' slices
-- cut by the runtime (equal ranges with 'Static', or a 'Dynamic' schedule);
-- and as a user-chosen split with linear tokens: parts of equal work cut
-- where the caller computes ('triBalanced'), or a recursive halving of the
-- work ('triHalving').
module Triangular
  ( Tri (..)
  , newTri
  , triRow
  , triSequential
  , triSlices
  , triBalanced
  , triHalving
  , workCuts
  , workMid
  ) where

import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp (Schedule (..))
import HsOmp.Slice (Slice, SliceM, Split (..), parallelSlices_, split)
import qualified HsOmp.Slice as S
import HsOmp.Slice.Linear

-- | The packed matrix and the vector.
data Tri = Tri
  { triN :: !Int
  , triL :: !(VS.Vector Double) -- ^ row i at i*(i+1)/2, i+1 elements
  , triX :: !(VS.Vector Double)
  }

-- | A deterministic matrix and vector of order @n@.
newTri :: Int -> Tri
newTri n = Tri n (VS.generate (n * (n + 1) `quot` 2) (\k -> fromIntegral (k `mod` 97) * 0.01 - 0.4))
                 (VS.generate n (\j -> fromIntegral (j `mod` 13) * 0.1 + 1))

-- | Element @i@ of @L x@.
triRow :: Tri -> Int -> Double
triRow (Tri _ l x) i = go 0 0
  where
    base = i * (i + 1) `quot` 2
    go !acc !j
      | j > i = acc
      | otherwise = go (acc + VS.unsafeIndex l (base + j) * VS.unsafeIndex x j) (j + 1)
{-# INLINE triRow #-}

-- | The job body: every row of the slice.
triBody :: Tri -> Slice t Double -> SliceM t ()
triBody t sl = S.forSlice sl (\i -> S.write sl i (triRow t (S.globalIndex i)))
{-# INLINE triBody #-}

-- | @L x@ into @y@, one row after the other.
triSequential :: Tri -> VSM.IOVector Double -> IO ()
triSequential t y = mapM_ (\i -> VSM.unsafeWrite y i (triRow t i)) [0 .. VSM.length y - 1]

-- | The runtime cuts the rows (HsOmp.Slice) on a team of @nthreads@.
triSlices :: Int -> Schedule -> Tri -> VSM.IOVector Double -> IO ()
triSlices nthreads sched t y = parallelSlices_ (split sched) {splitThreads = Just nthreads} y (triBody t)

-- | The offsets where @parts@ parts of equal work begin (the first part's
-- start, 0, left out): the rows up to @r@ cost about @r^2/2@, so part @k@
-- ends at @n * sqrt (k / parts)@.
workCuts :: Int -> Int -> [Int]
workCuts n parts =
  [round (fromIntegral n * sqrt (fromIntegral k / fromIntegral parts :: Double)) | k <- [1 .. parts - 1]]

-- | The row that halves the work of rows @[lo, hi)@: @sqrt ((lo^2 + hi^2) / 2)@,
-- kept inside the range.
workMid :: Int -> Int -> Int
workMid lo hi = max lo (min hi (round (sqrt ((fromIntegral lo ^ (2 :: Int) + fromIntegral hi ^ (2 :: Int)) / 2 :: Double))))

-- | The user's split: @parts@ parts of equal work, cut at 'workCuts', one
-- job each, on a team of @nthreads@ (the heaviest, last, part first).
triBalanced :: Int -> Int -> Tri -> VSM.IOVector Double -> IO ()
triBalanced nthreads parts t y = withOwned (Just nthreads) y (\o -> backwards done (cutAt (workCuts (VSM.length y) parts) o))
  where
    backwards :: Plan s () %1 -> [Owned s Double] %1 -> Plan s ()
    backwards acc [] = acc
    backwards acc (p : ps) = backwards (run p (triBody t) <+> acc) ps

-- | The user's split: halve the work recursively, @depth@ times (2^depth
-- jobs), the heavier upper half first.
triHalving :: Int -> Int -> Tri -> VSM.IOVector Double -> IO ()
triHalving nthreads depth0 t y = withOwned (Just nthreads) y (go depth0)
  where
    go :: Int -> Owned s Double %1 -> Plan s ()
    go depth o = withRange o (\lo hi o' ->
      if depth <= 0 || hi - lo < 2
        then run o' (triBody t)
        else splitWith (workMid lo hi - lo) o' (\a b -> go (depth - 1) b <+> go (depth - 1) a))
