-- | BAD: runs an IO action (a shared counter) inside a slice body.
-- Expected: Couldn't match type 'IO' with 'SliceM s'.
module WriteIORef (count) where

import Data.IORef
import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice

count :: IORef Int -> VSM.IOVector Double -> IO ()
count ref v = parallelSlices_ (split Static) v $ \sl ->
  forSlice sl $ \_ -> modifyIORef ref (+ 1)
