{-# LANGUAGE LinearTypes #-}
-- | BAD: the second half of a split is dropped (neither run nor skipped).
-- Expected: a multiplicity error on the wildcard.
module LinearDrop (dropTail) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice (forSlice, modify)
import HsOmp.Slice.Linear

dropTail :: VSM.IOVector Double -> IO ()
dropTail v = withOwned Nothing v (\o -> front (halves o))
  where
    front :: (Owned s Double, Owned s Double) %1 -> Plan s ()
    front (a, _) = run a (\sl -> forSlice sl (\i -> modify sl i (+ 1)))
