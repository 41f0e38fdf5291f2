{-# LANGUAGE ScopedTypeVariables #-}
{-# LANGUAGE GHCForeignImportPrim #-}
{-# LANGUAGE MagicHash #-}
{-# LANGUAGE UnboxedTuples #-}
{-# LANGUAGE UnliftedFFITypes #-}
-- | Batched safe foreign calls: call C functions many times inside one
-- release of the Capability.
--
-- A @foreign import ccall safe@ call releases the calling Haskell thread's
-- Capability around the C call (so other Haskell threads run and GC proceeds
-- while C runs) and takes it back afterwards.  That costs tens of
-- nanoseconds per call, much more than a cheap C function.  The functions
-- here release the Capability once, make all the calls, and take it back
-- once; the release and re-acquisition are written in Cmm
-- (@cmm/prims.cmm@, Note [Batched safe calls]) exactly as GHC compiles a
-- safe call, so they are as safe as one: other threads may allocate and
-- collect garbage meanwhile.
--
-- The C functions have the shape @void f(void *arg)@ (or
-- @intptr_t f(void *arg)@ for 'releasedCall'); they may block, run OpenMP
-- regions, or call back into Haskell.  Arguments must not point into the
-- movable Haskell heap: use 'Foreign.Marshal' memory, pinned arrays or
-- 'Foreign.ForeignPtr.ForeignPtr's kept alive across the call.
--
-- > batchMap c_work_fn [p1, p2, p3]         -- c_work_fn p1; c_work_fn p2; c_work_fn p3
-- > batchCalls [(f, p), (g, q)]             -- f p; g q
module HsOmp.Batch
  ( -- * Lists
    batchMap
  , batchCalls
    -- * Arrays (no marshalling)
  , batchMapArray
  , batchCallsArray
  , batchRepeat
    -- * One call with the Capability released
  , releasedCall
    -- * The primitives
  , batchMap#
  , batchPairs#
  , releasedCall#
  ) where

import Foreign.C.Types (CIntPtr (..))
import Foreign.Marshal.Array (allocaArray, pokeArray, withArrayLen)
import Foreign.Ptr (castPtr, plusPtr)
import Foreign.Storable (poke, sizeOf)
import GHC.Exts (Addr#, FunPtr (..), Int (I#), Int#, Ptr (..), RealWorld, State#)
import GHC.IO (IO (IO))

-- | @fn(args[i])@ for @i@ in @[0, n)@, Capability released once; returns n.
--
-- > IO (\s -> case batchMap# fn args 10# s of (# s', _ #) -> (# s', () #))
foreign import prim "hsomp_prim_batch_map"
  batchMap# :: Addr# -> Addr# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)

-- | @calls[i].fn(calls[i].arg)@ for @i@ in @[0, n)@ over an array of
-- (function, argument) word pairs, Capability released once; returns n.
--
-- > IO (\s -> case batchPairs# calls 10# s of (# s', _ #) -> (# s', () #))
foreign import prim "hsomp_prim_batch_pairs"
  batchPairs# :: Addr# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)

-- | @fn(arg)@ once with the Capability released; returns its result.
--
-- > IO (\s -> case releasedCall# fn arg s of (# s', r #) -> (# s', I# r #))
foreign import prim "hsomp_prim_released_call"
  releasedCall# :: Addr# -> Addr# -> State# RealWorld -> (# State# RealWorld, Int# #)

-- | @batchMapArray fn args n@ calls @fn(args[i])@ for @i < n@: one release
-- of the Capability for all n calls.  @args@ points to n pointers.
--
-- > withArrayLen ptrs $ \n arr -> batchMapArray fn arr n
batchMapArray :: FunPtr (Ptr a -> IO ()) -> Ptr (Ptr a) -> Int -> IO ()
batchMapArray (FunPtr fn) (Ptr args) (I# n)
  | I# n <= 0 = pure ()
  | otherwise = IO (\s -> case batchMap# fn args n s of (# s', _ #) -> (# s', () #))

-- | @batchCallsArray calls n@ calls @calls[i].fn(calls[i].arg)@ for
-- @i < n@, where @calls@ points to n pairs of words (function, argument).
--
-- > batchCallsArray pairs 10
batchCallsArray :: Ptr (FunPtr (Ptr a -> IO ()), Ptr a) -> Int -> IO ()
batchCallsArray (Ptr calls) (I# n)
  | I# n <= 0 = pure ()
  | otherwise = IO (\s -> case batchPairs# calls n s of (# s', _ #) -> (# s', () #))

-- | @batchMap fn args@ calls @fn@ on each argument, in order, in one release
-- of the Capability.
--
-- > batchMap c_increment [p, p, p]
batchMap :: FunPtr (Ptr a -> IO ()) -> [Ptr a] -> IO ()
batchMap fn args = withArrayLen args $ \n arr -> batchMapArray fn arr n

-- | @batchRepeat fn arg n@ calls @fn(arg)@ n times in one release of the
-- Capability.
--
-- > batchRepeat c_tick counter 100
batchRepeat :: FunPtr (Ptr a -> IO ()) -> Ptr a -> Int -> IO ()
batchRepeat fn arg n
  | n <= 0 = pure ()
  | otherwise = allocaArray n $ \arr -> do
      pokeArray arr (replicate n arg)
      batchMapArray fn arr n

-- | @batchCalls [(f, a), (g, b)]@ calls @f(a)@ then @g(b)@ in one release of
-- the Capability.
--
-- > batchCalls [(c_open, p), (c_fill, p), (c_close, p)]
batchCalls :: [(FunPtr (Ptr a -> IO ()), Ptr a)] -> IO ()
batchCalls calls = do
  let n = length calls
      w = sizeOf (undefined :: Ptr ())
  allocaArray (2 * n) $ \(arr :: Ptr (Ptr ())) -> do
    sequence_ [ do poke (arr `plusPtr` (2 * i * w)) f
                   poke (arr `plusPtr` ((2 * i + 1) * w)) a
              | (i, (f, a)) <- zip [0 ..] calls ]
    batchCallsArray (castPtr arr) n

-- | @releasedCall fn arg@ runs @fn(arg)@ (C type @intptr_t (*)(void *)@)
-- with the Capability released, like a safe foreign call through a
-- 'FunPtr'; the C function may loop over a batch of its own.
--
-- > releasedCall c_run_batch descriptor
releasedCall :: FunPtr (Ptr a -> IO CIntPtr) -> Ptr a -> IO CIntPtr
releasedCall (FunPtr fn) (Ptr arg) =
  IO (\s -> case releasedCall# fn arg s of (# s', r #) -> (# s', fromIntegral (I# r) #))
