{-# LANGUAGE MagicHash #-}
{-# LANGUAGE ScopedTypeVariables #-}
{-# LANGUAGE UnboxedTuples #-}
-- | Zero-copy arrays: hand a Haskell vector's own memory to OpenMP C code.
--
-- The C side gets a pointer into the vector's pinned memory (no copy, no
-- 'Foreign.Marshal.Array.withArray'), and the memory is kept alive until the
-- action returns or throws, however long the C call runs and however many
-- collections happen meanwhile.
--
-- > // sum.c, compiled with cc-options: -fopenmp (never link -lgomp)
-- > double vsum(const double *x, long n) {
-- >   double s = 0;
-- >   #pragma omp parallel for reduction(+:s)
-- >   for (long i = 0; i < n; i++) s += x[i];
-- >   return s;
-- > }
--
-- > foreign import ccall safe "vsum" c_vsum :: Ptr Double -> CLong -> IO Double
-- > total :: VS.Vector Double -> IO Double
-- > total v = withVectorPtr v $ \p -> c_vsum p (fromIntegral (VS.length v))
--
-- = Which vectors
--
-- * Storable vectors ("Data.Vector.Storable", and the mutable @IOVector@
--   of "Data.Vector.Storable.Mutable") always live in pinned memory (or in
--   foreign memory): every one can be passed.
--
-- * Primitive vectors ("Data.Vector.Primitive" and its @.Mutable@) live in
--   a 'ByteArray', which the GC may move unless it is pinned.  Arrays of
--   3277 bytes or more are large objects, which never move (GHC reports
--   them pinned); smaller ones are pinned only when allocated so
--   ('newPinnedPrimMVector', 'pinnedPrimVectorFromList', 'pinPrimVector').
--   'withPrimVectorPtr' refuses an unpinned array with 'UnpinnedArray';
--   'withPrimVectorPtrCopy' instead makes one copy into pinned memory.
--
-- A slice ('Data.Vector.Storable.slice' and friends) is passed as a pointer
-- to its first element, inside the whole array.
--
-- = Liveness
--
-- Note [Keeping the array alive during the call]: the pointer is a plain
-- address, invisible to the GC, so something must keep the array reachable
-- while C uses it.  This module uses @keepAlive#@ (GHC 9.0 has it; base's
-- 'Foreign.ForeignPtr.withForeignPtr' uses it too): @keepAlive# x s act@
-- keeps @x@ reachable while @act@ runs, whether @act@ returns or throws.
-- The older @touch#@ after the action ('unsafeWithForeignPtr', vector's
-- @unsafeWith@ in some versions) only works while GHC cannot see that the
-- action never returns: for an action that ends in 'Control.Exception.throwIO'
-- or loops forever, the simplifier drops the @touch#@ as dead code and the
-- array may be collected during the C call (GHC issue #14346).  The price
-- of @keepAlive#@ is a stack frame and a closure for the action, tens of
-- nanoseconds, nothing next to a parallel region.  The test-suite checks it
-- with a GC storm during long parallel C calls on arrays reachable only
-- through the call.
--
-- The pointer is valid only inside the action: do not return it or store
-- it.  Writing through the pointer of an immutable vector mutates it in
-- place (visible to every holder of the vector); do that only to a vector
-- you just created and nobody else holds.
module HsOmp.Array
  ( -- * Storable vectors
    withVectorPtr
  , withMVectorPtr
    -- * Primitive vectors
  , withPrimVectorPtr
  , withPrimMVectorPtr
  , UnpinnedArray (..)
    -- ** One copy for unpinned arrays
  , withPrimVectorPtrCopy
  , withPrimMVectorPtrCopy
    -- ** Pinned primitive vectors
  , newPinnedPrimMVector
  , pinnedPrimVectorFromList
  , pinnedPrimGenerate
  , pinPrimVector
  , isPinnedPrimVector
  , isPinnedPrimMVector
    -- * Liveness
  , keepAliveDuring
  ) where

import Control.Exception (Exception, finally, throwIO)
import Control.Monad.Primitive (PrimMonad, PrimState, RealWorld)
import Control.Monad.ST (runST)
import Data.Primitive.ByteArray
import Data.Primitive.Types (Prim, alignment, sizeOf)
import Data.Word (Word8)
import qualified Data.Vector.Primitive as VP
import qualified Data.Vector.Primitive.Mutable as VPM
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.Ptr (Ptr, castPtr, plusPtr)
import Foreign.Storable (Storable)
import GHC.Exts (keepAlive#)
import GHC.ForeignPtr (ForeignPtr (..))
import GHC.IO (IO (..))
import GHC.Ptr (Ptr (..))

-- | Run an action while keeping a value (and everything it references)
-- reachable, even if the action throws: @keepAlive#@, see Note [Keeping
-- the array alive during the call].  Use it for pointers obtained some
-- other way, e.g. from 'mutableByteArrayContents'.
--
-- > keepAliveDuring arr (c_use (mutableByteArrayContents arr))
keepAliveDuring :: a -> IO r -> IO r
keepAliveDuring x (IO act) = IO (\s -> keepAlive# x s act)
{-# INLINE keepAliveDuring #-}

-- | The pointer and keep-alive of a ForeignPtr, as base's withForeignPtr
-- but kept independent of how base implements it.
withForeignPtrAlive :: ForeignPtr a -> (Ptr a -> IO r) -> IO r
withForeignPtrAlive (ForeignPtr addr contents) f = keepAliveDuring contents (f (Ptr addr))
{-# INLINE withForeignPtrAlive #-}

------------------------------------------------------------------------------
-- Storable vectors

-- | A pointer to the first element of a Storable vector, which is the
-- vector's own memory (no copy), valid for the duration of the action.
--
-- > let v = VS.generate 1000 fromIntegral :: VS.Vector Double
-- > withVectorPtr (VS.slice 10 100 v) (\p -> c_vsum p 100)   -- elements 10..109
-- >   -- 5950.0
withVectorPtr :: Storable a => VS.Vector a -> (Ptr a -> IO r) -> IO r
withVectorPtr v f = case VS.unsafeToForeignPtr0 v of (fp, _) -> withForeignPtrAlive fp f
{-# INLINE withVectorPtr #-}

-- | A pointer to the first element of a mutable Storable vector (its own
-- memory): what C writes through it, the vector holds afterwards.
--
-- > mv <- VSM.new 1000 :: IO (VSM.IOVector Double)
-- > withMVectorPtr mv (\p -> c_fill p 1000)
withMVectorPtr :: Storable a => VSM.IOVector a -> (Ptr a -> IO r) -> IO r
withMVectorPtr mv f = case VSM.unsafeToForeignPtr0 mv of (fp, _) -> withForeignPtrAlive fp f
{-# INLINE withMVectorPtr #-}

------------------------------------------------------------------------------
-- Primitive vectors

-- | A primitive vector's array was not pinned, so the GC could move it
-- while C uses it.  Thrown by 'withPrimVectorPtr' and 'withPrimMVectorPtr'.
data UnpinnedArray = UnpinnedArray
  { unpinnedFunction :: String -- ^ the function that refused it
  , unpinnedBytes :: Int -- ^ the size of the vector, in bytes
  }
  deriving (Eq)

instance Show UnpinnedArray where
  show (UnpinnedArray fn bytes) =
    "HsOmp.Array." ++ fn ++ ": the primitive vector (" ++ show bytes
      ++ " bytes) is in an unpinned ByteArray, which the GC may move while C uses it. "
      ++ "Allocate it pinned (newPinnedPrimMVector, pinnedPrimVectorFromList, pinnedPrimGenerate, "
      ++ "pinPrimVector), or use " ++ fn ++ "Copy, which copies it once into pinned memory."

instance Exception UnpinnedArray

elemSize :: forall a. Prim a => a -> Int
elemSize = sizeOf

-- | A pointer to the first element of a primitive vector, in the vector's
-- own 'ByteArray' (no copy), valid for the duration of the action.  Throws
-- 'UnpinnedArray' if the array is not pinned (an empty vector is always
-- accepted: C reads none of it).
--
-- > let v = pinnedPrimVectorFromList [1 .. 1000] :: VP.Vector Double
-- > withPrimVectorPtr v (\p -> c_vsum p 1000)
-- >   -- 500500.0
withPrimVectorPtr :: Prim a => VP.Vector a -> (Ptr a -> IO r) -> IO r
withPrimVectorPtr (VP.Vector off len ba) =
  passPinned "withPrimVectorPtr" ba (isByteArrayPinned ba) (byteArrayContents ba) off len
{-# INLINE withPrimVectorPtr #-}

-- | A pointer to the first element of a mutable primitive vector (its own
-- memory): what C writes through it, the vector holds afterwards.  Throws
-- 'UnpinnedArray' if the array is not pinned (see 'newPinnedPrimMVector').
--
-- > mv <- newPinnedPrimMVector 1000 :: IO (VPM.IOVector Double)
-- > withPrimMVectorPtr mv (\p -> c_fill p 1000)
withPrimMVectorPtr :: Prim a => VPM.IOVector a -> (Ptr a -> IO r) -> IO r
withPrimMVectorPtr (VPM.MVector off len mba) =
  passPinned "withPrimMVectorPtr" mba (isMutableByteArrayPinned mba) (mutableByteArrayContents mba) off len
{-# INLINE withPrimMVectorPtr #-}

-- | What the two share: refuse a non-empty unpinned array, else pass the
-- address of element @off@ while keeping the array alive.
passPinned :: forall a arr r. Prim a => String -> arr -> Bool -> Ptr Word8 -> Int -> Int -> (Ptr a -> IO r) -> IO r
passPinned fn arr pinned base off len f
  | len > 0 && not pinned = throwIO (UnpinnedArray fn (len * elemSize (undefined :: a)))
  | otherwise = keepAliveDuring arr (f (castPtr base `plusPtr` (off * elemSize (undefined :: a))))
{-# INLINE passPinned #-}

-- | Like 'withPrimVectorPtr', but an unpinned vector is copied once into a
-- new pinned array (freed after the action) instead of refused.  A pinned
-- vector is passed with no copy.
--
-- > withPrimVectorPtrCopy (VP.map (* 2) v) (\p -> c_vsum p 1000)   -- VP.map's result is unpinned
withPrimVectorPtrCopy :: forall a r. Prim a => VP.Vector a -> (Ptr a -> IO r) -> IO r
withPrimVectorPtrCopy v@(VP.Vector off len ba) f
  | isPinnedPrimVector v = withPrimVectorPtr v f
  | otherwise = viaPinnedCopy len (\tmp -> copyByteArray tmp 0 ba (off * sz) (len * sz)) (\_ -> pure ()) f
  where
    sz = elemSize (undefined :: a)

-- | Like 'withPrimMVectorPtr', but an unpinned vector is copied once into a
-- new pinned array, and the array is copied back into the vector after the
-- action, also when the action throws (so the vector holds whatever C
-- wrote).  A pinned vector is passed with no copy.
--
-- > mv <- VPM.replicate 100 0 :: IO (VPM.IOVector Double)     -- small: unpinned
-- > withPrimMVectorPtrCopy mv (\p -> c_fill p 100)            -- copy in, C, copy back
withPrimMVectorPtrCopy :: forall a r. Prim a => VPM.IOVector a -> (Ptr a -> IO r) -> IO r
withPrimMVectorPtrCopy mv@(VPM.MVector off len mba) f
  | isPinnedPrimMVector mv = withPrimMVectorPtr mv f
  | otherwise =
      viaPinnedCopy len (\tmp -> copyMutableByteArray tmp 0 mba (off * sz) (len * sz))
        (\tmp -> copyMutableByteArray mba (off * sz) tmp 0 (len * sz)) f
  where
    sz = elemSize (undefined :: a)

-- | The copy path: a new pinned array of @len@ elements, filled by
-- @copyIn@, passed to the action (kept alive), then given to @copyOut@,
-- also when the action throws.
viaPinnedCopy :: forall a r. Prim a => Int -> (MutableByteArray RealWorld -> IO ())
              -> (MutableByteArray RealWorld -> IO ()) -> (Ptr a -> IO r) -> IO r
viaPinnedCopy len copyIn copyOut f = do
  tmp <- newAlignedPinnedByteArray (len * elemSize (undefined :: a)) (pinnedAlignment (undefined :: a))
  copyIn tmp
  keepAliveDuring tmp (f (castPtr (mutableByteArrayContents tmp))) `finally` copyOut tmp

------------------------------------------------------------------------------
-- Pinned primitive vectors

-- | Pinned arrays made here are aligned to a cache line (64 bytes), or to
-- the element's own alignment if larger.
pinnedAlignment :: Prim a => a -> Int
pinnedAlignment x = max 64 (alignment x)

-- | A new mutable primitive vector of @n@ elements in pinned memory
-- (aligned to 64 bytes); its contents are uninitialised, as with
-- 'VPM.new'.
--
-- > mv <- newPinnedPrimMVector 100 :: IO (VPM.IOVector Int)
-- > isPinnedPrimMVector mv
-- >   -- True
newPinnedPrimMVector :: forall m a. (PrimMonad m, Prim a) => Int -> m (VPM.MVector (PrimState m) a)
newPinnedPrimMVector n
  | n < 0 = error ("HsOmp.Array.newPinnedPrimMVector: negative length " ++ show n)
  | otherwise = do
      mba <- newAlignedPinnedByteArray (n * elemSize (undefined :: a)) (pinnedAlignment (undefined :: a))
      pure (VPM.MVector 0 n mba)

-- | A primitive vector of the list's elements, in pinned memory.
--
-- >>> isPinnedPrimVector (pinnedPrimVectorFromList [1, 2, 3 :: Int])
-- True
pinnedPrimVectorFromList :: Prim a => [a] -> VP.Vector a
pinnedPrimVectorFromList xs = runST $ do
  mv <- newPinnedPrimMVector (length xs)
  mapM_ (uncurry (VPM.unsafeWrite mv)) (zip [0 ..] xs)
  VP.unsafeFreeze mv

-- | @pinnedPrimGenerate n f@: the vector @[f 0 .. f (n-1)]@, in pinned
-- memory (as 'VP.generate', which gives an unpinned array for small @n@).
--
-- >>> pinnedPrimGenerate 4 (* 10) :: VP.Vector Int
-- [0,10,20,30]
pinnedPrimGenerate :: Prim a => Int -> (Int -> a) -> VP.Vector a
pinnedPrimGenerate n f = runST $ do
  mv <- newPinnedPrimMVector n
  mapM_ (\i -> VPM.unsafeWrite mv i (f i)) [0 .. n - 1]
  VP.unsafeFreeze mv

-- | The vector itself if its array is pinned, else a pinned copy of it.
--
-- >>> isPinnedPrimVector (pinPrimVector (VP.fromList [1, 2, 3 :: Int]))
-- True
pinPrimVector :: Prim a => VP.Vector a -> VP.Vector a
pinPrimVector v
  | isPinnedPrimVector v = v
  | otherwise = runST $ do
      mv <- newPinnedPrimMVector (VP.length v)
      VP.copy mv v
      VP.unsafeFreeze mv

-- | Whether the vector's array is pinned (allocated pinned, or a large
-- object), i.e. whether 'withPrimVectorPtr' accepts it with no copy.
--
-- >>> isPinnedPrimVector (VP.fromList [1, 2, 3 :: Int])
-- False
isPinnedPrimVector :: VP.Vector a -> Bool
isPinnedPrimVector (VP.Vector _ _ ba) = isByteArrayPinned ba

-- | Whether the mutable vector's array is pinned.
--
-- > VPM.replicate 10 (0 :: Int) >>= pure . isPinnedPrimMVector
-- >   -- False
isPinnedPrimMVector :: VPM.MVector s a -> Bool
isPinnedPrimMVector (VPM.MVector _ _ mba) = isMutableByteArrayPinned mba
