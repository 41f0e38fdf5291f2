{-# LANGUAGE LinearTypes #-}
-- | BAD: one part handed to C and to a Haskell job at the same time.
-- Expected: the token is used twice (multiplicity Many, not One).
module LinearForeignTwice (twice) where

import qualified Data.Vector.Storable.Mutable as VSM

import qualified HsOmp.Slice as S
import HsOmp.Slice.Linear

twice :: VSM.IOVector Double -> IO ()
twice v = withOwned Nothing v (\o -> runForeign o (\_ _ -> pure ()) <+> run o (\sl -> S.forSlice sl (\i -> S.write sl i 0)))
