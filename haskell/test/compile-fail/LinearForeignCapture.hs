{-# LANGUAGE LinearTypes #-}
-- | BAD: a foreign job's body reaches for the other part's token.
-- Expected: b is used unrestrictedly (a body is an unrestricted argument).
module LinearForeignCapture (capture) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice.Linear

capture :: VSM.IOVector Double -> IO ()
capture v =
  withOwned Nothing v (\o -> splitWith 1 o (\a b -> runForeign a (\_ _ -> skip b `seq` pure ()) <+> done))
