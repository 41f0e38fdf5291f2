-- | BAD: one token run twice (two jobs would write the same elements).
-- Expected: a multiplicity error on the token.  (No LinearTypes pragma:
-- the check does not need it in the user's module.)
module LinearTwice (twice) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice (forSlice, modify)
import HsOmp.Slice.Linear

twice :: VSM.IOVector Double -> IO ()
twice v = withOwned Nothing v (\whole -> run whole bump <+> run whole bump)
  where
    bump sl = forSlice sl (\i -> modify sl i (+ 1))
