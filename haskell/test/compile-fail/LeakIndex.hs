-- | BAD: returns an index out of its body, to use it later.
-- Expected: the region type variable would escape its scope.
module LeakIndex (leak) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice

leak :: VSM.IOVector Double -> IO ()
leak v = do
  _ <- parallelSlices (split Static) v $ \sl -> foldSlice sl Nothing (\_ i -> pure (Just i))
  pure ()
