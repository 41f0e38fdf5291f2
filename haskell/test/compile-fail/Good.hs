-- | The control module: correct uses of HsOmp.Slice that must compile (if
-- this fails, the harness or the API is broken, not the bad modules).
module Good (fill, total, rows) where

import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice

fill :: VS.Vector Double -> VSM.IOVector Double -> IO ()
fill xs v = parallelSlices_ (split (Dynamic 1024)) v $ \sl ->
  forSlice sl $ \i -> write sl i (2 * index xs i + fromIntegral (localIndex sl i))

total :: VSM.IOVector Double -> IO Double
total v = parallelReduce (split Static) v (+) 0 $ \sl ->
  foldSlice sl 0 $ \acc i -> (acc +) <$> HsOmp.Slice.read sl i

rows :: Int -> VSM.IOVector Int -> IO [Int]
rows n v = parallelSlices (rowsOf n (Dynamic 2)) v $ \sl -> do
  forRows n sl $ \r row -> forSlice row $ \i -> modify row i (+ r)
  pure (sliceLength sl)
