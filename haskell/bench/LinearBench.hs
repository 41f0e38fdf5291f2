-- | Benchmarks of HsOmp.Slice.Linear on an irregular workload: the
-- lower-triangular product @y = L x@ (test/Triangular.hs; row @i@ costs
-- @i + 1@), with the rows cut by the runtime into equal ranges
-- (HsOmp.Slice, 'Static'), by the runtime's dynamic schedule, and by the
-- user into parts of equal work (linear tokens: 'triBalanced',
-- 'triHalving').  'linearBenchmarks' for criterion, 'linearTable' for the
-- tables mode.
module LinearBench (linearBenchmarks, linearTable) where

import Control.Concurrent (getNumCapabilities)
import Control.DeepSeq (NFData (..))
import Control.Monad
import Criterion.Main
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Text.Printf (printf)

import HsOmp (Schedule (..))
import SliceBench (bestMs)
import Triangular

-- | The order of the matrix: 4.5 * 10^6 multiply-adds, 36 MB packed.
order :: Int
order = 3000

data Input = Input !Tri !(VSM.IOVector Double)

-- criterion's env wants NFData; the fields are strict vectors.
instance NFData Input where
  rnf (Input _ _) = ()

newInput :: IO Input
newInput = do
  let t = newTri order
  VS.length (triL t) `seq` Input t <$> VSM.new order

-- | The ways to compute @L x@, by name, on a team of @caps@ threads.
ways :: Int -> [(String, Tri -> VSM.IOVector Double -> IO ())]
ways caps =
  [ ("sequential loop", triSequential)
  , (printf "HsOmp.Slice, Static (equal ranges), %d threads" caps, triSlices caps Static)
  , (printf "HsOmp.Slice, Dynamic 16 rows, %d threads" caps, triSlices caps (Dynamic 16))
  , (printf "linear: %d parts of equal work, %d threads" caps caps, triBalanced caps caps)
  , (printf "linear: work halved 3 times (8 jobs), %d threads" caps, triHalving caps 3)
  ]

-- | criterion: @linear slices/triangular L x, n=3000/...@.
linearBenchmarks :: IO Benchmark
linearBenchmarks = do
  caps <- getNumCapabilities
  pure $ env newInput $ \ ~(Input t y) -> bgroup "linear slices" [bgroup (printf "triangular L x, n=%d" order)
    [bench name (whnfIO (way t y)) | (name, way) <- ways caps]]

-- | The tables mode's table: ms (best of 9), the ratio to the sequential
-- loop and to the runtime's equal ranges; every way's result is checked
-- against the sequential one.
linearTable :: IO ()
linearTable = do
  caps <- getNumCapabilities
  Input t y <- newInput
  triSequential t y
  expected <- VS.freeze y
  rows <- forM (ways caps) $ \(name, way) -> do
    ms <- bestMs 9 (way t y)
    got <- VS.freeze y
    VSM.set y 0
    pure (name, ms, got == expected)
  let seqMs = case rows of (_, ms, _) : _ -> ms; [] -> 1
      equalMs = case drop 1 rows of (_, ms, _) : _ -> ms; [] -> 1
  printf "| L x, n = %d (row i costs i + 1) | ms | / sequential | / equal ranges |\n|---|---:|---:|---:|\n" order
  forM_ rows $ \(name, ms, _) -> printf "| %s | %.2f | %.2f | %.2f |\n" name ms (ms / seqMs) (ms / equalMs)
  unless (all (\(_, _, ok) -> ok) rows) $ putStrLn "\n**ERROR: some way's result differs from the sequential one**"
