-- | BAD: a plan function without a linear type (it may copy or drop the
-- token: here it drops it).
-- Expected: withOwned wants a linear function.
module LinearUnrestricted (nothing) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice.Linear

nothing :: VSM.IOVector Double -> IO ()
nothing v = withOwned Nothing v ignore
  where
    ignore :: Owned s Double -> Plan s ()
    ignore _ = done
