-- | Tests of HsOmp.Pure (pure combinators on the team), HsOmp.Slice.ST
-- (slices in ST / any PrimMonad), and sparks (Control.Parallel.Strategies)
-- beside OpenMP regions.
module PureSpec (pureSpec) where

import Control.Concurrent (forkIO)
import Control.Concurrent.MVar
import Control.Exception
import Control.Monad
import Control.Monad.ST (runST)
import Control.Parallel.Strategies (parList, rdeepseq, using)
import qualified Data.Vector as V
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import qualified Data.Vector.Unboxed as VU
import System.Timeout (timeout)
import Test.Hspec
import Test.Hspec.QuickCheck (modifyMaxSuccess)
import Test.QuickCheck

import HsOmp (Schedule (..), parallelFor)
import HsOmp.Pure
import qualified HsOmp.Slice as S
import HsOmp.Slice.ST

sizes :: [Int]
sizes = [0, 1, sequentialBelow - 1, sequentialBelow, 3 * chunkSize + 17, 100000]

fib :: Int -> Integer
fib n = if n < 2 then toInteger n else fib (n - 1) + fib (n - 2)

pureSpec :: Spec
pureSpec = describe "HsOmp.Pure, HsOmp.Slice.ST, sparks" $ do
  it "generateP, mapP, zipWithP equal the sequential vectors (sizes around the thresholds)" $
    forM_ sizes $ \n -> do
      let f i = i * 7 + 3 :: Int
          u = VU.generate n (\i -> fromIntegral i :: Double)
          b = V.generate n show
      generateP n f `shouldBe` VS.generate n f
      mapP (* 2) u `shouldBe` VS.convert (VU.map (* 2) u)
      mapP length b `shouldBe` VS.convert (V.map length b)
      zipWithP (+) (VS.generate n f) (VU.generate (n + 5) id) `shouldBe` VS.generate n (\i -> f i + i)
  modifyMaxSuccess (const 50) $
    it "foldP / foldMapP equal the sequential fold for a non-commutative op (QuickCheck)" $
      property $ \(NonNegative k) -> do
        let n = (k * 997) `mod` 60000
            v = VU.generate n (\i -> i `mod` 251)
        foldP (+) 0 v `shouldBe` VU.sum v
        -- composition of affine maps x -> a x + b (mod 1000003): associative, not commutative
        let compose (a, b) (c, d) = ((a * c) `mod` 1000003, (a * d + b) `mod` 1000003) :: (Int, Int)
            affine x = (x + 2, 3 * x + 1)
        foldMapP compose (1, 0) affine v `shouldBe` VU.foldl' (\acc x -> compose acc (affine x)) (1, 0) v
  it "an exception thrown by the function is re-thrown where the result is demanded" $ do
    let v = generateP 100000 (\i -> if i == 77777 then error "boom" else i :: Int)
    evaluate v `shouldThrow` errorCall "boom"
    evaluate (foldMapP (+) 0 (\i -> if i == 50000 then error "bang" else i) (VU.enumFromN (0 :: Int) 100000))
      `shouldThrow` errorCall "bang"
  it "slices in ST: parallelSlicesM_ in VS.create, parallelReduceM and parallelSlicesM in runST" $ do
    let n = 50000
        made = VS.create $ do
          v <- VSM.new n
          parallelSlicesM_ (S.split (Dynamic 1000)) v (\sl -> S.forSlice sl (\i -> S.write sl i (S.globalIndex i * 3)))
          pure v
        total = runST $ do
          v <- VS.thaw made
          parallelReduceM (S.split Static) v (+) 0 (\sl -> S.foldSlice sl 0 (\acc i -> (acc +) <$> S.read sl i))
        lens = runST $ do
          v <- VSM.replicate 10 'x'
          parallelSlicesM (S.split (StaticChunk 4)) v (\sl -> pure (S.sliceLength sl))
    made `shouldBe` VS.generate n (* 3)
    total `shouldBe` 3 * sum [0 .. n - 1]
    lens `shouldBe` [4, 4, 2]
  it "sparks (parList rdeepseq) are evaluated while another thread runs OpenMP regions" $ do
    done <- newEmptyMVar
    stop <- newEmptyMVar
    _ <- forkIO $ do
      let loop k = do
            parallelFor (Dynamic 100) 0 10000 (\_ _ -> pure ())
            let s = foldP (+) 0 (generateP 50000 id)
            s `seq` pure ()
            stopped <- isEmptyMVar stop
            if stopped then loop (k + 1) else putMVar done (k + 1 :: Int)
      loop 0
    let xs = map fib [20 .. 27] `using` parList rdeepseq
    r <- timeout 60000000 (evaluate (sum xs))
    putMVar stop ()
    rounds <- takeMVar done
    r `shouldBe` Just (sum (map fib [20 .. 27]))
    rounds `shouldSatisfy` (>= 1)
