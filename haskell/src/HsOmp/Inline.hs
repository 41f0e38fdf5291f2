{-# LANGUAGE GHCForeignImportPrim #-}
{-# LANGUAGE MagicHash #-}
{-# LANGUAGE QuasiQuotes #-}
{-# LANGUAGE TemplateHaskell #-}
{-# LANGUAGE UnboxedTuples #-}
{-# LANGUAGE UnliftedFFITypes #-}
-- | Primitives written inline with the @[cmm| |]@ quasiquoter
-- ("HsOmp.Cmm"): the Capability number, the OpenMP thread number, and a
-- batched call that makes N C calls inside one release of the Capability.
--
-- They do what "HsOmp.Prim" and "HsOmp.Batch" do from @cmm/prims.cmm@,
-- and are the worked example of the quoter: each is a Haskell signature
-- and a Cmm procedure in one quote, and each differs from the file's
-- version where inline Cmm makes a different trade (see the functions).
--
-- >>> (,) <$> fmap (>= 0) currentCapabilityInline <*> threadNumInline
-- (True,0)
--
-- The primitives themselves (@currentCapabilityInline#@, @threadNumInline#@,
-- @batchApply#@) are not exported: GHC 9.0's Template Haskell cannot give a
-- spliced declaration a Haddock comment, and the 'IO' wrappers, inlined,
-- cost nothing more.
module HsOmp.Inline
  ( currentCapabilityInline
  , threadNumInline
  , batchApply
    -- * Deprecated names
  , inlineCapabilityNumber
  , inlineOmpThreadNumber
  ) where

import Foreign.C.Types (CIntPtr)
import GHC.Exts (FunPtr (..), Int (I#), Ptr (..))
import GHC.IO (IO (IO))

import HsOmp.Cmm (cmm)

-- The number of the Capability running the calling thread: two loads
-- from @BaseReg@ (the same code as 'HsOmp.Prim.currentCapability#').
--
-- > IO (\s -> case currentCapabilityInline# s of (# s', n #) -> (# s', I# n #))
-- >   -- 0
[cmm|
currentCapabilityInline# :: State# RealWorld -> (# State# RealWorld, Int# #)
currentCapabilityInline# ()
{
    return (TO_W_(Capability_no(MyCapability())));
}
|]

-- @omp_get_thread_num()@ of the calling thread, by an unsafe C call made
-- from Cmm (no cache, unlike 'HsOmp.Prim.threadNum#': a quote holds no
-- data shared with C, and the call is a few nanoseconds).  A Haskell thread
-- keeps its OS thread, and so its OpenMP thread number, while it runs
-- Haskell code (Note [OpenMP thread number without a foreign call] in
-- @cmm/prims.cmm@), so the answer is that of the region the caller is
-- called back from, 0 outside any.
--
-- > IO (\s -> case threadNumInline# s of (# s', n #) -> (# s', I# n #))
-- >   -- 0
[cmm|
threadNumInline# :: State# RealWorld -> (# State# RealWorld, Int# #)
threadNumInline# ()
{
    CInt n;
    (n) = ccall omp_get_thread_num();
    return (TO_W_(n));
}
|]

-- @batchApply# fn arg n@ calls @fn(arg)@ (C type
-- @intptr_t (*)(void *)@) n times with the Capability released once, and
-- returns the sum of the results.
--
-- The release is the one of Note [Batched safe calls] in @cmm/prims.cmm@
-- (save the thread state, @suspendThread@, the calls, @resumeThread@,
-- reload @BaseReg@ and the thread state).  Here the loop itself is Cmm:
-- its counter, sum and token live in registers or on the C stack, never on
-- the Haskell stack or heap, which a GC may move while the Capability is
-- released.  Cmm calls only named C functions, so each call goes through
-- @hsomp_hs_apply(fn, arg)@ (@cbits/hs_batch.c@).
--
-- > IO (\s -> case batchApply# fn arg 100# s of (# s', r #) -> (# s', I# r #))
-- >   -- 100
[cmm|
batchApply# :: Addr# -> Addr# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)
batchApply# (W_ fn, W_ arg, W_ n)
{
    W_ tok, new_base, i, sum, r;

    SAVE_THREAD_STATE();
    (tok) = ccall suspendThread(BaseReg "ptr", 0);

    i = 0;
    sum = 0;
again:
    if (i < n) {
        (r) = ccall hsomp_hs_apply(fn, arg);
        sum = sum + r;
        i = i + 1;
        goto again;
    }

    (new_base) = ccall resumeThread(tok);
    BaseReg = new_base;
    LOAD_THREAD_STATE();
    return (sum);
}
|]

-- | The Capability number of the calling thread (@currentCapabilityInline#@,
-- two loads from @BaseReg@, as 'HsOmp.Prim.currentCapabilityPrim').
--
-- >>> (==) <$> currentCapabilityInline <*> (fst <$> (myThreadId >>= threadCapability))
-- True
currentCapabilityInline :: IO Int
currentCapabilityInline = IO (\s -> case currentCapabilityInline# s of (# s', n #) -> (# s', I# n #))
{-# INLINE currentCapabilityInline #-}

-- | Deprecated name of 'currentCapabilityInline'.
inlineCapabilityNumber :: IO Int
inlineCapabilityNumber = currentCapabilityInline
{-# INLINE inlineCapabilityNumber #-}
{-# DEPRECATED inlineCapabilityNumber "renamed currentCapabilityInline (README \"Names\")" #-}

-- | The OpenMP thread number of the caller (@threadNumInline#@: an
-- unsafe call of @omp_get_thread_num@ from Cmm): 0 outside any region.
--
-- > parallelRegion (Just 4) (\_ _ -> threadNumInline >>= print)
threadNumInline :: IO Int
threadNumInline = IO (\s -> case threadNumInline# s of (# s', n #) -> (# s', I# n #))
{-# INLINE threadNumInline #-}

-- | Deprecated name of 'threadNumInline'.
inlineOmpThreadNumber :: IO Int
inlineOmpThreadNumber = threadNumInline
{-# INLINE inlineOmpThreadNumber #-}
{-# DEPRECATED inlineOmpThreadNumber "renamed threadNumInline (README \"Names\")" #-}

-- | @batchApply fn arg n@ calls @fn(arg)@ n times (none when n <= 0) in one
-- release of the Capability and returns the sum of the results.  Other
-- Haskell threads and the GC run meanwhile, and @fn@ may block, run OpenMP
-- regions or call back into Haskell.  @arg@ must not point into the
-- movable Haskell heap (use 'Foreign.Marshal' or pinned memory).
--
-- > batchApply c_tick counter 1000
-- >   -- 1000
batchApply :: FunPtr (Ptr a -> IO CIntPtr) -> Ptr a -> Int -> IO Int
batchApply (FunPtr fn) (Ptr arg) (I# n)
  | I# n <= 0 = pure 0
  | otherwise = IO (\s -> case batchApply# fn arg n s of (# s', r #) -> (# s', I# r #))
