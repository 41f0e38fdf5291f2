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
-- >>> c <- capabilityNumber
-- >>> t <- ompThreadNumber
module HsOmp.Prim
  ( -- * Wrapped primitives
    capabilityNumber
  , ompThreadNumber
    -- * The primitives themselves
  , capabilityNo#
  , ompThreadNum#
  ) where

import GHC.Exts (Int (I#), Int#, RealWorld, State#)
import GHC.IO (IO (IO))

-- | The number of the Capability running the calling Haskell thread
-- (@cap->no@): two loads from @BaseReg@.
--
-- >>> IO (\s -> case capabilityNo# s of (# s', n #) -> (# s', I# n #))
-- 0
foreign import prim "hsomp_prim_capability_no"
  capabilityNo# :: State# RealWorld -> (# State# RealWorld, Int# #)

-- | The OpenMP thread number of the calling Haskell thread
-- (@omp_get_thread_num()@): 0 outside any region, the team member's number
-- inside a callback from an OpenMP thread.  Cached per Haskell thread in a
-- per-Capability slot, so after a thread's first call it costs two loads and
-- a compare (see Note [OpenMP thread number without a foreign call] in
-- @cmm/prims.cmm@).
--
-- >>> IO (\s -> case ompThreadNum# s of (# s', n #) -> (# s', I# n #))
-- 0
foreign import prim "hsomp_prim_omp_thread_num"
  ompThreadNum# :: State# RealWorld -> (# State# RealWorld, Int# #)

-- | 'capabilityNo#' as an 'IO' action.
--
-- >>> capabilityNumber
-- 0
capabilityNumber :: IO Int
capabilityNumber = IO (\s -> case capabilityNo# s of (# s', n #) -> (# s', I# n #))
{-# INLINE capabilityNumber #-}

-- | 'ompThreadNum#' as an 'IO' action.
--
-- >>> parallelFor Dynamic 0 8 (\_ _ -> ompThreadNumber >>= print)
ompThreadNumber :: IO Int
ompThreadNumber = IO (\s -> case ompThreadNum# s of (# s', n #) -> (# s', I# n #))
{-# INLINE ompThreadNumber #-}
