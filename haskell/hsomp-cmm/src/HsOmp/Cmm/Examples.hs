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
  ( -- * Declared by the quotes
    -- $decls
    addMul#
  , stackRoom#
  , cmmAdd#
  ) where

import HsOmp.Cmm (cmm)

-- $decls
--
-- [@addMul# :: Int# -> Int# -> Int#@] @(x + y) * 3@.
--
-- [@stackRoom# :: State# RealWorld -> (# State# RealWorld, Int# #)@] the
--   bytes between the Haskell stack pointer and the stack limit (@Sp - SpLim@).
--
-- [@cmmAdd# :: Int# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)@]
--   @x + y@, as an action.

-- A quote with two signatures: a pure primitive, and one threading the
-- state (its signature continued on a second line).
[cmm|
addMul# :: Int# -> Int# -> Int#
stackRoom# :: State# RealWorld
           -> (# State# RealWorld, Int# #)

addMul# (W_ x, W_ y)
{
    return ((x + y) * 3);
}

stackRoom# ()
{
    return (Sp - SpLim);
}
|]

-- The benchmark's add; State# threaded so that each call is made (a pure
-- primitive with constant arguments would be computed once).
[cmm|
cmmAdd# :: Int# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)
cmmAdd# (W_ x, W_ y)
{
    return (x + y);
}
|]
