{-# LANGUAGE ScopedTypeVariables #-}
-- | Tests of "HsOmp.Array" (zero-copy arrays): C sees and writes the
-- vector's own memory, slices at their offsets, unpinned primitive vectors
-- refused or copied once, exceptions inside the action, and the liveness
-- rule: finalizers that must not run during the call, and a GC storm
-- during long parallel C calls over vectors reachable only through the
-- call.  The C helpers are in test/cbits/array_check.c.
module ArraySpec (arraySpec, patternF64, patternI64) where

import Control.Concurrent
import Control.Exception
import Control.Monad
import Data.Int (Int64)
import Data.IORef
import Data.List (isInfixOf)
import qualified Data.Vector.Primitive as VP
import qualified Data.Vector.Primitive.Mutable as VPM
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Data.Primitive.ByteArray (byteArrayContents)
import qualified Foreign.Concurrent as FC
import Foreign.C.Types
import Foreign.ForeignPtr (ForeignPtr)
import Foreign.Marshal.Alloc (alloca, free, mallocBytes)
import Foreign.Ptr
import Foreign.Storable (peek)
import System.Mem (performGC, performMajorGC)
import System.Timeout (timeout)
import Test.Hspec
import Text.Printf (printf)

import HsOmp.Array

foreign import ccall unsafe "ac_address" c_address :: Ptr a -> IO WordPtr
foreign import ccall safe "ac_fill_index_f64" c_fill_index_f64 :: Ptr Double -> CLong -> Double -> IO WordPtr
foreign import ccall safe "ac_add_index_i64" c_add_index_i64 :: Ptr Int64 -> CLong -> Int64 -> IO ()
foreign import ccall safe "ac_sum_f64" c_sum_f64 :: Ptr Double -> CLong -> IO Double
foreign import ccall safe "ac_check_f64"
  c_check_f64 :: Ptr Double -> CLong -> Double -> CInt -> CLong -> Double -> Ptr CLong -> Ptr Double -> IO CLong
foreign import ccall safe "ac_check_i64"
  c_check_i64 :: Ptr Int64 -> CLong -> Int64 -> CInt -> CLong -> Double -> Ptr CLong -> Ptr Int64 -> IO CLong

-- | The check pattern, as in array_check.c: element i for a seed.
patternF64 :: Double -> Int -> Double
patternF64 seed i = seed + fromIntegral (i `mod` 1024) * 0.25

patternI64 :: Int64 -> Int -> Int64
patternI64 seed i = seed + fromIntegral (i `mod` 1024)

measure :: String -> IO ()
measure s = putStrLn ("  [measure] " ++ s)

within :: Int -> IO a -> IO a
within secs act = timeout (secs * 1000000) act >>= maybe (throwIO (userError ("timed out after " ++ show secs ++ " s"))) pure

data Boom = Boom deriving (Show, Eq)

instance Exception Boom

arraySpec :: Spec
arraySpec = describe "HsOmp.Array (zero-copy arrays)" $ do
  storableSpec
  primSpec
  livenessSpec

------------------------------------------------------------------------------
storableSpec :: Spec
storableSpec = describe "Storable vectors" $ do
  it "C writes through the pointer into the mutable vector's own memory" $ do
    mv <- VSM.replicate 10000 (-1 :: Double)
    addr <- withMVectorPtr mv $ \p -> c_fill_index_f64 p 10000 0.5
    own <- VSM.unsafeWith mv (pure . ptrToWordPtr)
    addr `shouldBe` own
    v <- VS.freeze mv
    v `shouldBe` VS.generate 10000 ((* 0.5) . fromIntegral)

  it "an immutable vector: C reads the vector's own memory" $ do
    let v = VS.generate 100000 (patternF64 3)
    own <- VS.unsafeWith v (pure . ptrToWordPtr)
    addr <- withVectorPtr v c_address
    addr `shouldBe` own
    s <- withVectorPtr v $ \p -> c_sum_f64 p 100000
    s `shouldBe` VS.sum v

  it "a slice is passed at its offset (immutable and mutable)" $ do
    let v = VS.generate 10000 fromIntegral :: VS.Vector Double
        s = VS.slice 1234 500 v
    base <- VS.unsafeWith v (pure . ptrToWordPtr)
    addr <- withVectorPtr s c_address
    addr `shouldBe` base + 1234 * 8
    total <- withVectorPtr s $ \p -> c_sum_f64 p 500
    total `shouldBe` sum [1234 .. 1733]
    mv <- VSM.replicate 300 (-1 :: Double)
    _ <- withMVectorPtr (VSM.slice 100 50 mv) $ \p -> c_fill_index_f64 p 50 1
    r <- VS.freeze mv
    VS.toList (VS.slice 98 54 r) `shouldBe` [-1, -1] ++ [0 .. 49] ++ [-1, -1]
    VS.length (VS.filter (== -1) r) `shouldBe` 250

------------------------------------------------------------------------------
primSpec :: Spec
primSpec = describe "primitive vectors" $ do
  it "a pinned vector is passed with no copy, a slice at its offset" $ do
    let v = pinnedPrimGenerate 5000 (patternI64 7)
        VP.Vector _ _ ba = v
    isPinnedPrimVector v `shouldBe` True
    addr <- withPrimVectorPtr v c_address
    addr `shouldBe` ptrToWordPtr (byteArrayContents ba)
    -- an offset of 1024 keeps the pattern; any other offset breaks it
    (bad, _, s) <- checkI64 (VP.slice 1024 2048 v) 7
    bad `shouldBe` 0
    s `shouldBe` VP.sum (VP.slice 1024 2048 v)
    addr' <- withPrimVectorPtr (VP.slice 1024 2048 v) c_address
    addr' `shouldBe` addr + 1024 * 8
    (bad', _, _) <- checkI64 (VP.slice 1 2048 v) 7
    bad' `shouldSatisfy` (> 0)

  it "a pinned mutable vector: C reads and writes its own memory, through a slice" $ do
    mv <- newPinnedPrimMVector 3000 :: IO (VPM.IOVector Int64)
    isPinnedPrimMVector mv `shouldBe` True
    forM_ [0 .. 2999] $ \i -> VPM.write mv i (fromIntegral i)
    withPrimMVectorPtr (VPM.slice 1000 500 mv) $ \p -> c_add_index_i64 p 500 3
    r <- VP.freeze mv
    VP.toList (VP.take 1000 r) `shouldBe` [0 .. 999]
    VP.toList (VP.slice 1000 500 r) `shouldBe` [fromIntegral i + 3 * fromIntegral (i - 1000) | i <- [1000 .. 1499 :: Int]]
    VP.toList (VP.drop 1500 r) `shouldBe` [1500 .. 2999]

  it "helpers: pinnedPrimVectorFromList, pinPrimVector; large VP arrays count as pinned" $ do
    let small = VP.fromList [1 .. 10 :: Int64]
        pinned = pinPrimVector small
    isPinnedPrimVector small `shouldBe` False
    isPinnedPrimVector pinned `shouldBe` True
    pinned `shouldBe` small
    isPinnedPrimVector (pinPrimVector pinned) `shouldBe` True
    isPinnedPrimVector (pinnedPrimVectorFromList [1, 2, 3 :: Double]) `shouldBe` True
    pinnedPrimVectorFromList [1, 2, 3 :: Double] `shouldBe` VP.fromList [1, 2, 3]
    -- 3277 bytes or more: a large object, which the GC never moves
    isPinnedPrimVector (VP.generate 1000 fromIntegral :: VP.Vector Int64) `shouldBe` True

  it "an unpinned vector is refused with UnpinnedArray, which names the fix" $ do
    ran <- newIORef False
    let small = VP.fromList [1 .. 10 :: Int64]
    r <- try (withPrimVectorPtr small (\_ -> writeIORef ran True))
    case r of
      Left (e :: UnpinnedArray) -> do
        unpinnedFunction e `shouldBe` "withPrimVectorPtr"
        unpinnedBytes e `shouldBe` 80
        show e `shouldSatisfy` ("withPrimVectorPtrCopy" `isInfixOf`)
        show e `shouldSatisfy` ("newPinnedPrimMVector" `isInfixOf`)
      Right () -> expectationFailure "an unpinned vector was passed"
    mv <- VPM.replicate 10 (0 :: Int64)
    withPrimMVectorPtr mv (\_ -> writeIORef ran True) `shouldThrow` (== UnpinnedArray "withPrimMVectorPtr" 80)
    readIORef ran `shouldReturn` False
    -- an empty vector is never refused: C reads none of it
    withPrimVectorPtr (VP.empty :: VP.Vector Int64) (\_ -> pure ()) `shouldReturn` ()

  it "the copy path: one copy of an unpinned vector; a pinned one is not copied" $ do
    let small = VP.generate 300 (patternI64 11) -- 2400 bytes: unpinned
        VP.Vector _ _ ba = small
    isPinnedPrimVector small `shouldBe` False
    (bad, s) <- withPrimVectorPtrCopy (VP.slice 0 300 small) $ \p -> checkI64Ptr p 300 11
    bad `shouldBe` 0
    s `shouldBe` VP.sum small
    addr <- withPrimVectorPtrCopy small c_address
    addr `shouldNotBe` ptrToWordPtr (byteArrayContents ba)
    let pinned = pinPrimVector small
        VP.Vector _ _ pba = pinned
    addr' <- withPrimVectorPtrCopy pinned c_address
    addr' `shouldBe` ptrToWordPtr (byteArrayContents pba)

  it "the mutable copy path copies back, also when the action throws" $ do
    mv <- VPM.replicate 100 (5 :: Int64) -- unpinned
    isPinnedPrimMVector mv `shouldBe` False
    withPrimMVectorPtrCopy mv $ \p -> c_add_index_i64 p 100 2
    VP.freeze mv `shouldReturn` VP.generate 100 (\i -> 5 + 2 * fromIntegral i)
    (withPrimMVectorPtrCopy (VPM.slice 50 50 mv) $ \p -> c_add_index_i64 p 50 1 >> throwIO Boom)
      `shouldThrow` (== Boom)
    r <- VP.freeze mv
    VP.take 50 r `shouldBe` VP.generate 50 (\i -> 5 + 2 * fromIntegral i)
    VP.drop 50 r `shouldBe` VP.generate 50 (\i -> 5 + 2 * fromIntegral (i + 50) + fromIntegral i)

checkI64 :: VP.Vector Int64 -> Int64 -> IO (Int, Int, Int64)
checkI64 v seed = withPrimVectorPtr v $ \p -> do
  (bad, s) <- checkI64Ptr p (VP.length v) seed
  pure (bad, 1, s)

checkI64Ptr :: Ptr Int64 -> Int -> Int64 -> IO (Int, Int64)
checkI64Ptr p n seed = alloca $ \passes -> alloca $ \s -> do
  bad <- c_check_i64 p (fromIntegral n) seed 2 1 0 passes s
  (,) (fromIntegral bad) <$> peek s

------------------------------------------------------------------------------
livenessSpec :: Spec
livenessSpec = describe "liveness" $ do
  it "a vector reachable only through the call stays alive during it and is released after, also on an exception" $
    within 60 $ do
      finalized <- newIORef False
      seen <- newIORef []
      let n = 100000
      (vec, mem) <- finalizedVector finalized n
      r <- try $ withVectorPtr vec $ \p -> do
        _ <- c_fill_index_f64 p (fromIntegral n) 1
        replicateM_ 3 (performMajorGC >> threadDelay 20000) -- finalizers would have run
        readIORef finalized >>= \f -> modifyIORef seen (f :)
        s <- c_sum_f64 p (fromIntegral n)
        modifyIORef seen ((s == fromIntegral (n * (n - 1) `div` 2)) :)
        _ <- throwIO Boom
        pure ()
      r `shouldBe` Left Boom
      readIORef seen `shouldReturn` [True, False]
      -- released: the finalizer runs once the call is over
      released <- waitFor 5 (performMajorGC >> readIORef finalized)
      released `shouldBe` True
      free mem

  it "GC storm during long parallel zero-copy calls (Storable and pinned primitive vectors)" $
    within 300 $ do
      let n = 2000000 -- 16 MB: a large object, as a typical OpenMP input
          rounds = 6 :: Int
          seconds = 0.25
      stop <- newIORef False
      gcs <- newIORef (0 :: Int)
      stormers <- forM [1 .. 2 :: Int] $ \k -> do
        done <- newEmptyMVar
        _ <- forkIO (gcStorm stop gcs n k `finally` putMVar done ())
        pure done
      results <- (forM [1 .. rounds] $ \r -> do
                    f <- stormRoundF64 n (fromIntegral (100 * r)) seconds
                    i <- stormRoundI64 n (fromIntegral (1000 * r)) seconds
                    pure [f, i])
                   `finally` (writeIORef stop True >> mapM_ takeMVar stormers)
      g <- readIORef gcs
      let rs = concat results
          passes = sum [p | (_, p, _) <- rs]
      measure (printf "GC storm: %d calls of >= %.2f s on 2-thread teams over %d MB vectors, %d passes, %d forced GCs meanwhile, %d mismatches, %d wrong sums"
                 (length rs) seconds (n * 8 `div` 1000000) passes g
                 (sum [b | (b, _, _) <- rs]) (length [() | (_, _, False) <- rs]))
      forM_ rs $ \(bad, p, ok) -> do
        bad `shouldBe` 0
        p `shouldSatisfy` (>= 3)
        ok `shouldBe` True
      g `shouldSatisfy` (>= 2 * length rs)

-- | A Storable vector in malloc'd memory with a Haskell finalizer that sets
-- the flag: it shows when the GC found the vector unreachable.  The test
-- frees the memory itself once the finalizer has run, so that a finalizer
-- run too early fails the test instead of crashing it.
finalizedVector :: IORef Bool -> Int -> IO (VS.Vector Double, Ptr Double)
finalizedVector flag n = do
  p <- mallocBytes (n * 8)
  fp <- FC.newForeignPtr p (writeIORef flag True) :: IO (ForeignPtr Double)
  pure (VS.unsafeFromForeignPtr0 fp n, p)

waitFor :: Double -> IO Bool -> IO Bool
waitFor secs cond = go (ceiling (secs * 100) :: Int)
  where
    go k = do
      ok <- cond
      if ok || k <= 0 then pure ok else threadDelay 10000 >> go (k - 1)

-- | One storm round on a Storable vector made here and reachable only
-- through the call: (mismatches, passes, sum right).
stormRoundF64 :: Int -> Double -> Double -> IO (Int, Int, Bool)
stormRoundF64 n seed seconds = do
  v <- evaluate (VS.generate n (patternF64 seed))
  alloca $ \passes -> alloca $ \s -> do
    bad <- withVectorPtr v $ \p -> c_check_f64 p (fromIntegral n) seed 2 3 seconds passes s
    p <- peek passes
    total <- peek s
    pure (fromIntegral bad, fromIntegral p, total == expectedF64 n seed)

-- | The same with a pinned primitive vector of Int64.
stormRoundI64 :: Int -> Int64 -> Double -> IO (Int, Int, Bool)
stormRoundI64 n seed seconds = do
  v <- evaluate (pinnedPrimGenerate n (patternI64 seed))
  alloca $ \passes -> alloca $ \s -> do
    bad <- withPrimVectorPtr v $ \p -> c_check_i64 p (fromIntegral n) seed 2 3 seconds passes s
    p <- peek passes
    total <- peek s
    pure (fromIntegral bad, fromIntegral p, total == expectedI64 n seed)

expectedF64 :: Int -> Double -> Double
expectedF64 n seed = fromIntegral n * seed + 0.25 * fromIntegral (indexSum n)

expectedI64 :: Int -> Int64 -> Int64
expectedI64 n seed = fromIntegral n * seed + fromIntegral (indexSum n)

-- | sum of (i mod 1024) for i < n
indexSum :: Int -> Int
indexSum n = let (q, r) = n `divMod` 1024 in q * (1023 * 1024 `div` 2) + r * (r - 1) `div` 2

-- | Allocate vectors of the same size filled with poison (so a collected
-- vector's memory is soon reused and overwritten), some boxed garbage, and
-- force collections, until told to stop.
gcStorm :: IORef Bool -> IORef Int -> Int -> Int -> IO ()
gcStorm stop gcs n k = loop (0 :: Int)
  where
    loop i = do
      s <- readIORef stop
      unless s $ do
        mv <- VSM.replicate n (-1 - fromIntegral k :: Double)
        pv <- VPM.replicate n (-1 - fromIntegral k :: Int64)
        x <- VSM.read mv (n - 1)
        y <- VPM.read pv (n - 1)
        _ <- evaluate (length (show [x, fromIntegral y, fromIntegral i]))
        _ <- evaluate (sum (map fromIntegral [1 .. 20000 + i `mod` 7 :: Int]) :: Double)
        if even i then performMajorGC else performGC
        atomicModifyIORef' gcs (\c -> (c + 1, ()))
        loop (i + 1)
