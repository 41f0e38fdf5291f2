{-# LANGUAGE RankNTypes #-}
-- | "HsOmp.Slice" for vectors of any 'PrimMonad': 'ST' as well as 'IO'.
--
-- The same loops as 'HsOmp.Slice.parallelSlices', '_' and
-- 'HsOmp.Slice.parallelReduce', over a Storable @'VSM.MVector' ('PrimState'
-- m) a@, so code in @'ST' s@ (for instance inside 'Control.Monad.ST.runST'
-- or 'Data.Vector.Storable.create') runs its loops on the OpenMP team and
-- stays pure.  This is sound for the same reason as the 'IO' versions are
-- safe: a body's only effects are reads and writes of its own slice, the
-- slices are disjoint, and the results come back in slice order, so the
-- outcome does not depend on the schedule.
--
-- > VS.create (do v <- VSM.new 10; parallelSlicesM_ (split Static) v (\sl -> forSlice sl (\i -> write sl i (globalIndex i))); pure v)
-- >   -- [0,1,2,3,4,5,6,7,8,9]
module HsOmp.Slice.ST
  ( parallelSlicesM
  , parallelSlicesM_
  , parallelReduceM
  ) where

import Control.Monad.Primitive (PrimMonad, PrimState, RealWorld, unsafeIOToPrim)
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.Storable (Storable)

import HsOmp.Slice (Slice, SliceM, Split, parallelReduce, parallelSlices, parallelSlices_)

-- The same memory seen as an IOVector: a Storable MVector is a length and
-- a ForeignPtr, whatever its state token.
asIO :: VSM.MVector s a -> VSM.MVector RealWorld a
asIO (VSM.MVector n fp) = VSM.MVector n fp
{-# INLINE asIO #-}

-- | 'HsOmp.Slice.parallelSlices' in any 'PrimMonad'.
--
-- > runST (VSM.replicate 10 (1 :: Int) >>= \v -> parallelSlicesM (split (StaticChunk 4)) v (\sl -> pure (sliceLength sl)))
-- >   -- [4,4,2]
parallelSlicesM :: (PrimMonad m, Storable a) => Split -> VSM.MVector (PrimState m) a
                -> (forall t. Slice t a -> SliceM t r) -> m [r]
parallelSlicesM sp v body = unsafeIOToPrim (parallelSlices sp (asIO v) body)
{-# INLINE parallelSlicesM #-}

-- | 'HsOmp.Slice.parallelSlices_' in any 'PrimMonad'.
--
-- > runST (VSM.new 4 >>= \v -> parallelSlicesM_ (split Static) v (\sl -> forSlice sl (\i -> write sl i 'x')) >> VSM.read v 3)
-- >   -- 'x'
parallelSlicesM_ :: (PrimMonad m, Storable a) => Split -> VSM.MVector (PrimState m) a
                 -> (forall t. Slice t a -> SliceM t ()) -> m ()
parallelSlicesM_ sp v body = unsafeIOToPrim (parallelSlices_ sp (asIO v) body)
{-# INLINE parallelSlicesM_ #-}

-- | 'HsOmp.Slice.parallelReduce' in any 'PrimMonad'.
--
-- > runST (VSM.replicate 1000 (1 :: Int) >>= \v -> parallelReduceM (split (Dynamic 64)) v (+) 0 (\sl -> pure (sliceLength sl)))
-- >   -- 1000
parallelReduceM :: (PrimMonad m, Storable a) => Split -> VSM.MVector (PrimState m) a -> (r -> r -> r) -> r
                -> (forall t. Slice t a -> SliceM t r) -> m r
parallelReduceM sp v op z body = unsafeIOToPrim (parallelReduce sp (asIO v) op z body)
{-# INLINE parallelReduceM #-}
