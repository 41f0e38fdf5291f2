{-# LANGUAGE LinearTypes #-}
-- | BAD: a job returns its own slice, to write it after the call.
-- Expected: the job's region type variable would escape its scope.
module LinearLeakSlice (leak) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice.Linear

leak :: VSM.IOVector Double -> IO ()
leak v = do
  _ <- withOwnedResults Nothing v (\o -> run o pure)
  pure ()
