-- | BAD: writes the parent vector from inside a slice body.
-- Expected: the body's monad is not IO/PrimMonad.
module WriteParent (clobber) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice

clobber :: VSM.IOVector Double -> IO ()
clobber v = parallelSlices_ (split Static) v $ \sl ->
  forSlice sl $ \_ -> VSM.write v 0 1
