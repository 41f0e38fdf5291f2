{-# LANGUAGE GeneralizedNewtypeDeriving #-}
{-# LANGUAGE RoleAnnotations #-}
-- | The representation of 'HsOmp.Slice''s types, with their constructors:
-- for the package's own modules ('HsOmp.Slice', 'HsOmp.Slice.Linear'),
-- which make slices and run bodies.  Not exposed: code that could build a
-- 'Slice' or an 'Ix' could break the disjointness the types promise.
module HsOmp.Slice.Internal
  ( SliceM (..)
  , Slice (..)
  , Ix (..)
  , runBody
  ) where

import Foreign.Ptr (Ptr)

-- | The monad of a slice body: 'IO' underneath, but its constructor is
-- hidden and it has no 'MonadIO', @PrimMonad@ or 'MonadFail' instance, so a
-- body's only effects are reads and writes of its own slice.  Pure code
-- inside may still throw ('error'): the exception is re-thrown by the
-- caller of 'parallelSlices'.
newtype SliceM s a = SliceM (IO a)
  deriving (Functor, Applicative, Monad)

-- Note [Nominal region parameter]
-- The region parameter s of Slice, Ix and SliceM is a phantom.  GHC would
-- infer the phantom role for it, and Data.Coerce.coerce would then convert
-- an Ix s into an Ix t without needing the Ix constructor: a body could
-- carry an index (or a slice) into another body's region.  The role
-- annotations below make s nominal, so coerce between regions is a type
-- error (test/compile-fail/CoerceIndex.hs).
type role SliceM nominal representational
type role Slice nominal representational
type role Ix nominal

-- | A contiguous part @[sliceStart, sliceEnd)@ of the vector given to
-- 'parallelSlices', owned by one body for the region @s@.
data Slice s a = Slice
  !(Ptr a) -- element 0 of the whole vector
  !Int     -- first index (global)
  !Int     -- one past the last index (global)

-- | An index into a slice of region @s@: always inside that slice.  Made
-- only by iterating a slice; no arithmetic.
newtype Ix s = Ix Int
  deriving (Eq, Ord, Show)

-- | The 'IO' action of a body.
runBody :: SliceM s r -> IO r
runBody (SliceM io) = io
{-# INLINE runBody #-}
