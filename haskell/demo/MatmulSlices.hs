{-# LANGUAGE BangPatterns #-}
-- -O2: at cabal's default -O1 this kernel ran 2.3-3x slower (n = 512: 360-580
-- against 158-196 ms): the inner loop re-opened the vector b (case b of
-- Vector) at every element; -O2's liberate-case peels that out of the loop.
{-# OPTIONS_GHC -O2 #-}
-- | The matrix multiply of hsomp-dataparallel written with the slice API
-- (HsOmp.Slice): the same blocking as the OpenMP C kernel
-- (demo/cbits/matmul.c), in Haskell.  Each body owns a block of whole rows
-- of C ('rowsOf' n, 16 rows per chunk, dynamic schedule), zeroes it, and
-- accumulates it block by block over k and j, reading A and B as immutable
-- vectors.
module MatmulSlices (matmulSlices) where

import Control.Monad (forM_)
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp (Schedule (..))
import HsOmp.Slice (Split (..), parallelSlices_, rowsOf)
import qualified HsOmp.Slice as S

-- | @matmulSlices threads n a b@ is the n x n row-major product @a * b@,
-- computed on a team of @threads@ OpenMP threads.
--
-- >>> c <- matmulSlices 2 512 a b
matmulSlices :: Int -> Int -> VS.Vector Double -> VS.Vector Double -> IO (VS.Vector Double)
matmulSlices threads n a b = do
  c <- VSM.new (n * n)
  parallelSlices_ (rowsOf n (Dynamic blockI)) {splitThreads = Just threads} c $ \sl -> do
    S.forSlice sl $ \ix -> S.write sl ix 0
    forM_ [0, blockK .. n - 1] $ \kk ->
      forM_ [0, blockJ .. n - 1] $ \jj ->
        S.forRows n sl $ \i row -> do
          let cols = S.subSlice jj (jj + blockJ) row
              ks !k
                | k >= min n (kk + blockK) = pure ()
                | otherwise = do
                    let !aik = VS.unsafeIndex a (i * n + k)
                        !bk = k * n
                    S.forSlice cols $ \ix ->
                      S.modify cols ix (+ aik * VS.unsafeIndex b (bk + S.localIndex row ix))
                    ks (k + 1)
          ks kk
  VS.unsafeFreeze c
  where
    blockI = 16
    blockK = 128
    blockJ = 256
