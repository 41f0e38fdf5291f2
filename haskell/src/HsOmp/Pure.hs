{-# LANGUAGE BangPatterns #-}
-- | Pure data-parallel combinators on vectors, run on the OpenMP team.
--
-- The common case of "HsOmp.Slice" without the slices: build, map, zip or
-- fold a vector with a pure function, in parallel, and get a pure result.
-- Outputs are Storable vectors (their memory is pinned, so the team's
-- threads write into it directly); inputs may be any "Data.Vector.Generic"
-- vector: boxed, Storable, primitive or unboxed ("Data.Vector.Unboxed"),
-- read by index, purely.  For an unboxed result, 'VG.convert' the Storable
-- one (one copy).
--
-- The work is cut into chunks handed out dynamically ('chunkSize'), and
-- each element is forced to weak head normal form on the thread that
-- computes it.  Vectors shorter than 'sequentialBelow' are computed on the
-- calling thread (a region costs microseconds).  An exception thrown by
-- the function is re-thrown where the result is demanded.  These are
-- pure, so call them from anywhere, also inside another parallel loop's
-- body (the nested region then runs on a team of one).
module HsOmp.Pure
  ( -- * Building vectors
    generateP
  , mapP
  , zipWithP
    -- * Folding
  , foldP
  , foldMapP
    -- * Tuning
  , chunkSize
  , sequentialBelow
  ) where

import Control.Monad (forM_)
import Data.List (foldl')
import Data.Primitive.Array
import qualified Data.Vector.Generic as VG
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.Storable (Storable)
import System.IO.Unsafe (unsafePerformIO)

import HsOmp.Callback (parallelForN)
import HsOmp.Schedule (Schedule (..))
import qualified HsOmp.Slice as S

-- | Elements per chunk of the dynamic schedule: 4096.
chunkSize :: Int
chunkSize = 4096

-- | Below this many elements (2 * 'chunkSize') the combinators run on the
-- calling thread.
sequentialBelow :: Int
sequentialBelow = 2 * chunkSize

-- | @generateP n f@: the vector of @f 0, ..., f (n - 1)@, computed on the
-- team.
--
-- >>> generateP 5 (\i -> i * i)
-- [0,1,4,9,16]
generateP :: Storable a => Int -> (Int -> a) -> VS.Vector a
generateP n f
  | n < sequentialBelow = VS.generate n f
  | otherwise = unsafePerformIO $ do
      out <- VSM.unsafeNew n
      S.parallelSlices_ (S.split (Dynamic chunkSize)) out $ \sl ->
        S.forSlice sl $ \i -> S.write sl i $! f (S.globalIndex i)
      VS.unsafeFreeze out
{-# INLINABLE generateP #-}

-- | @mapP f v@: 'VS.map' on the team; @v@ may be any vector type.
--
-- >>> mapP (* 2) (Data.Vector.Unboxed.fromList [1, 2, 3 :: Int])
-- [2,4,6]
mapP :: (VG.Vector v a, Storable b) => (a -> b) -> v a -> VS.Vector b
mapP f v = generateP (VG.length v) (\i -> f (VG.unsafeIndex v i))
{-# INLINE mapP #-}

-- | @zipWithP f u v@: 'VS.zipWith' on the team (the shorter length).
--
-- >>> zipWithP (+) (VS.fromList [1, 2, 3]) (VS.fromList [10, 20, 30 :: Int])
-- [11,22,33]
zipWithP :: (VG.Vector u a, VG.Vector v b, Storable c) => (a -> b -> c) -> u a -> v b -> VS.Vector c
zipWithP f u v = generateP (min (VG.length u) (VG.length v)) (\i -> f (VG.unsafeIndex u i) (VG.unsafeIndex v i))
{-# INLINE zipWithP #-}

-- | @foldP op z v@: the fold of @v@ with an associative @op@ whose unit is
-- @z@, on the team: each chunk is folded from the left, and the chunks'
-- results are combined left to right in chunk order, so commutativity is
-- not needed.  Each chunk's result is forced to weak head normal form.
--
-- >>> foldP (+) 0 (VS.enumFromN 1 100 :: VS.Vector Int)
-- 5050
foldP :: VG.Vector v a => (a -> a -> a) -> a -> v a -> a
foldP op z = foldMapP op z id
{-# INLINE foldP #-}

-- | @foldMapP op z f v@: @foldP op z (map f v)@ without the intermediate
-- vector (@op@ associative with unit @z@).
--
-- >>> foldMapP (++) [] (\x -> [x, x]) (VS.fromList "abc")
-- "aabbcc"
foldMapP :: VG.Vector v a => (b -> b -> b) -> b -> (a -> b) -> v a -> b
foldMapP op z f v
  | n < sequentialBelow = chunk 0 n
  | otherwise = unsafePerformIO $ do
      results <- newArray nchunks z
      parallelForN Nothing (Dynamic 1) 0 nchunks $ \c0 c1 ->
        forM_ [c0 .. c1 - 1] $ \c -> do
          let !r = chunk (c * chunkSize) (min n ((c + 1) * chunkSize))
          writeArray results c r
      out <- unsafeFreezeArray results
      pure $! foldl' (\acc c -> op acc (indexArray out c)) z [0 .. nchunks - 1]
  where
    n = VG.length v
    nchunks = (n + chunkSize - 1) `quot` chunkSize
    chunk lo hi = go z lo
      where
        go !acc i
          | i >= hi = acc
          | otherwise = go (op acc (f (VG.unsafeIndex v i))) (i + 1)
{-# INLINABLE foldMapP #-}
