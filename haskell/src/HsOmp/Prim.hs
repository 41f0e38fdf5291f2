{-# LANGUAGE GHCForeignImportPrim #-}
{-# LANGUAGE MagicHash #-}
{-# LANGUAGE UnboxedTuples #-}
{-# LANGUAGE UnliftedFFITypes #-}
-- | Cmm primitives (@foreign import prim@): the current Capability number
-- and the OpenMP thread number, read without any foreign call.
--
-- A @foreign import prim@ function is called like a Haskell function:
-- arguments in STG registers, no saving of the machine state, no release of
-- the Capability.  GHC also treats such a call as a pure expression that it
-- may float out of a loop or share between call sites.  The answers here
-- change over time (a thread can move to another Capability), so every
-- primitive threads @State# RealWorld@: each call is then an action,
-- ordered with the other actions and never shared.
--
-- Names (README "Names"): @threadNum@ is the OpenMP thread number and
-- @currentCapability@ the Capability running the calling Haskell thread;
-- the suffix says how it is read: none for a foreign call ("HsOmp"),
-- @Prim@ for these primitives, @Inline@ for "HsOmp.Inline"'s.
--
-- >>> c <- currentCapabilityPrim
-- >>> t <- threadNumPrim
module HsOmp.Prim
  ( -- * Wrapped primitives
    currentCapabilityPrim
  , threadNumPrim
    -- * The primitives themselves
  , currentCapability#
  , threadNum#
    -- * Deprecated names
  , capabilityNumber
  , ompThreadNumber
  , capabilityNo#
  , ompThreadNum#
  ) where

import GHC.Exts (Int (I#), Int#, RealWorld, State#)
import GHC.IO (IO (IO))

-- | The number of the Capability running the calling Haskell thread
-- (@cap->no@): two loads from @BaseReg@.
--
-- >>> (>= 0) <$> IO (\s -> case currentCapability# s of (# s', n #) -> (# s', I# n #))
-- True
foreign import prim "hsomp_prim_capability_no"
  currentCapability# :: State# RealWorld -> (# State# RealWorld, Int# #)

-- | The OpenMP thread number of the calling Haskell thread
-- (@omp_get_thread_num()@): 0 outside any region, the team member's number
-- inside a callback from an OpenMP thread.  Cached per Haskell thread in a
-- per-Capability slot, so after a thread's first call it costs two loads and
-- a compare (see Note [OpenMP thread number without a foreign call] in
-- @cmm/prims.cmm@).
--
-- >>> IO (\s -> case threadNum# s of (# s', n #) -> (# s', I# n #))
-- 0
foreign import prim "hsomp_prim_omp_thread_num"
  threadNum# :: State# RealWorld -> (# State# RealWorld, Int# #)

-- | 'currentCapability#' as an 'IO' action: the Capability running the calling
-- Haskell thread (what 'GHC.Conc.threadCapability' tells, without a call).
--
-- >>> (==) <$> currentCapabilityPrim <*> (fst <$> (myThreadId >>= threadCapability))
-- True
currentCapabilityPrim :: IO Int
currentCapabilityPrim = IO (\s -> case currentCapability# s of (# s', n #) -> (# s', I# n #))
{-# INLINE currentCapabilityPrim #-}

-- | 'threadNum#' as an 'IO' action: the OpenMP thread number
-- ('HsOmp.threadNum' without the foreign call).
--
-- > parallelFor (Dynamic 1) 0 8 (\_ _ -> threadNumPrim >>= print)
threadNumPrim :: IO Int
threadNumPrim = IO (\s -> case threadNum# s of (# s', n #) -> (# s', I# n #))
{-# INLINE threadNumPrim #-}

-- | Deprecated name of 'currentCapabilityPrim'.
capabilityNumber :: IO Int
capabilityNumber = currentCapabilityPrim
{-# INLINE capabilityNumber #-}
{-# DEPRECATED capabilityNumber "renamed currentCapabilityPrim (README \"Names\")" #-}

-- | Deprecated name of 'threadNumPrim'.
ompThreadNumber :: IO Int
ompThreadNumber = threadNumPrim
{-# INLINE ompThreadNumber #-}
{-# DEPRECATED ompThreadNumber "renamed threadNumPrim (README \"Names\")" #-}

-- | Deprecated name of 'currentCapability#'.
capabilityNo# :: State# RealWorld -> (# State# RealWorld, Int# #)
capabilityNo# s = currentCapability# s
{-# INLINE capabilityNo# #-}
{-# DEPRECATED capabilityNo# "renamed currentCapability# (README \"Names\")" #-}

-- | Deprecated name of 'threadNum#'.
ompThreadNum# :: State# RealWorld -> (# State# RealWorld, Int# #)
ompThreadNum# s = threadNum# s
{-# INLINE ompThreadNum# #-}
{-# DEPRECATED ompThreadNum# "renamed threadNum# (README \"Names\")" #-}
