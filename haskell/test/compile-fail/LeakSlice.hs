-- | BAD: returns the slice itself out of its body.
-- Expected: the region type variable would escape its scope.
module LeakSlice (leak) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice

leak :: VSM.IOVector Double -> IO ()
leak v = do
  _ <- parallelSlices (split Static) v pure
  pure ()
