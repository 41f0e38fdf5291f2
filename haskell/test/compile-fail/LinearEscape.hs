{-# LANGUAGE LinearTypes #-}
-- | BAD: a token leaves the call as a job's result, to be used later.
-- Expected: the region type variable would escape its scope.
module LinearEscape (leak) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice.Linear

leak :: VSM.IOVector Double -> IO ()
leak v = do
  _ <- withOwnedResults Nothing v (\o -> splitWith 1 o (\a b -> run a (\_ -> pure b)))
  pure ()
