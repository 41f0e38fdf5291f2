{-# LANGUAGE GHCForeignImportPrim #-}
{-# LANGUAGE MagicHash #-}
{-# LANGUAGE QuasiQuotes #-}
{-# LANGUAGE TemplateHaskell #-}
{-# LANGUAGE UnboxedTuples #-}
{-# LANGUAGE UnliftedFFITypes #-}
-- | Examples of @[cmm| |]@ quotes, used by hsomp's test-suite and
-- benchmark: a pure primitive, one that threads the state (both from one
-- quote with two signatures), and an add for timing against the FFI.
--
-- They live here, beside the quoter, rather than in hsomp's test-suite:
-- any Template Haskell module there makes GHC 9.0.2 build the whole suite
-- @-dynamic-too@, and its first build then fails on a module without TH
-- (README, "Inline Cmm").
--
-- >>> I# (addMul# 1# 2#)
-- 9
module HsOmp.Cmm.Examples
  ( addMul#
  , stackRoom#
  , cmmAdd#
  ) where

import GHC.Exts (Int#, RealWorld, State#)

import HsOmp.Cmm (cmm)

-- A quote with two signatures: a pure primitive, and one threading the
-- state (its signature continued on a second line).
[cmm|
addMulCmm# :: Int# -> Int# -> Int#
stackRoomCmm# :: State# RealWorld
           -> (# State# RealWorld, Int# #)

addMulCmm# (W_ x, W_ y)
{
    return ((x + y) * 3);
}

stackRoomCmm# ()
{
    return (Sp - SpLim);
}
|]

-- The benchmark's add; State# threaded so that each call is made (a pure
-- primitive with constant arguments would be computed once).
[cmm|
addWordsCmm# :: Int# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)
addWordsCmm# (W_ x, W_ y)
{
    return (x + y);
}
|]

-- Haddock cannot document a spliced declaration (GHC 9.0's Template
-- Haskell has no putDoc), so the exports are documented aliases.

-- | @(x + y) * 3@: a pure primitive.
--
-- >>> I# (addMul# 1# 2#)
-- 9
addMul# :: Int# -> Int# -> Int#
addMul# = addMulCmm#
{-# INLINE addMul# #-}

-- | The bytes between the Haskell stack pointer and the stack limit
-- (@Sp - SpLim@): a primitive that threads the state.
stackRoom# :: State# RealWorld -> (# State# RealWorld, Int# #)
stackRoom# = stackRoomCmm#
{-# INLINE stackRoom# #-}

-- | @x + y@ as an action (the benchmark's add: each call is made).
cmmAdd# :: Int# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)
cmmAdd# = addWordsCmm#
{-# INLINE cmmAdd# #-}
