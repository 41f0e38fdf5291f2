-- | BAD: writes one element past the index it was given (index arithmetic).
-- Expected: No instance for (Num (Ix s)).
module OutOfSlice (shift) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice

shift :: VSM.IOVector Double -> IO ()
shift v = parallelSlices_ (split Static) v $ \sl ->
  forSlice sl $ \i -> write sl (i + 1) 0
