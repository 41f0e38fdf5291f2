{-# LANGUAGE ScopedTypeVariables #-}
-- | Tests of HsOmp.Slice: coverage and disjointness of the slices for every
-- schedule and team size, reductions equal to sequential folds (QuickCheck),
-- exceptions, other Haskell threads and GC storms during the loop, and the
-- compile-fail modules in test/compile-fail (typechecked with the ghc on
-- PATH; run the suite from the haskell directory, as ./run does).
module SliceSpec (sliceSpec, typecheck, stampRead) where

import Control.Concurrent
import Control.Exception
import Control.Monad
import Data.IORef
import Data.List (isInfixOf)
import Data.Word (Word64)
import Foreign.ForeignPtr (mallocForeignPtrArray)
import qualified Foreign.Concurrent as FC
import GHC.Clock (getMonotonicTimeNSec)
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import System.Directory (getTemporaryDirectory, removeDirectoryRecursive, createDirectoryIfMissing)
import System.Exit (ExitCode (..))
import System.Process (readProcessWithExitCode)
import System.Mem (performGC)
import System.IO.Unsafe (unsafePerformIO)
import System.Timeout (timeout)
import Test.Hspec
import Test.Hspec.QuickCheck (modifyMaxSuccess)
import Test.QuickCheck hiding (within)

import HsOmp (Schedule (..))
import HsOmp.Slice (Split (..), parallelReduce, parallelSlices, parallelSlices_, rowsOf, split)
import qualified HsOmp.Slice as S
import Measure (underGcStorm)

within :: Int -> IO a -> IO a
within secs act = timeout (secs * 1000000) act
  >>= maybe (throwIO (userError ("timed out after " ++ show secs ++ " s"))) pure

schedules :: [Schedule]
schedules = [Static, StaticChunk 7, Dynamic 13, Guided 5, Auto, Runtime]

onTeam :: Int -> Split -> Split
onTeam t sp = sp {splitThreads = Just t}

-- | The (start, end) of every slice, in the order parallelSlices returns.
bounds :: Split -> VSM.IOVector Int -> IO [(Int, Int)]
bounds sp v = parallelSlices sp v (\sl -> pure (S.sliceStart sl, S.sliceEnd sl))

-- | Slices that tile [0, n): each starts where the previous ended.
tiles :: Int -> [(Int, Int)] -> Bool
tiles n bs = and (zipWith (\(_, e) (s, _) -> e == s) bs (drop 1 bs))
  && all (\(s, e) -> s < e) bs
  && (if null bs then n == 0 else fst (head bs) == 0 && snd (last bs) == n)

sliceSpec :: Spec
sliceSpec = describe "HsOmp.Slice" $ do
  forM_ schedules $ \sched ->
    forM_ [1, 2, 3, 8] $ \t ->
      it ("slices of " ++ show sched ++ " on " ++ show t ++ " threads tile the vector; every element written once, under GC") $ do
        let n = 10007
        v <- VSM.replicate n (0 :: Int)
        (bs, _) <- within 60 $ underGcStorm $ do
          parallelSlices_ (onTeam t (split sched)) v $ \sl ->
            S.forSlice sl $ \i -> S.modify sl i (+ 1)
          bounds (onTeam t (split sched)) v
        res <- VS.freeze v
        VS.all (== 1) res `shouldBe` True
        bs `shouldSatisfy` tiles n
        case sched of
          Static -> length bs `shouldSatisfy` (<= t)
          Dynamic k -> length bs `shouldBe` (n + k - 1) `div` k
          _ -> pure ()

  it "writes land at their global index; index reads the inputs at the same place" $ do
    let n = 5000
        xs = VS.generate n (\i -> i * 3) :: VS.Vector Int
    v <- VSM.replicate n (-1 :: Int)
    parallelSlices_ (split (Dynamic 100)) v $ \sl ->
      S.forSlice sl $ \i -> S.write sl i (S.index xs i + S.localIndex sl i * 0 + S.globalIndex i)
    VS.freeze v `shouldReturn` VS.generate n (\i -> 4 * i)

  it "rowsOf cuts at whole rows and forRows numbers them" $
    forM_ [(1, 1), (7, 3), (64, 64), (100, 1), (5, 100)] $ \(rows, cols) -> do
      let n = rows * cols
      v <- VSM.replicate n (-1 :: Int)
      bs <- parallelSlices (rowsOf cols (Dynamic 2)) v $ \sl -> do
        S.forRows cols sl $ \r row -> S.forSlice row $ \i -> S.write row i (r * 1000 + S.localIndex row i)
        pure (S.sliceStart sl, S.sliceEnd sl)
      VS.freeze v `shouldReturn` VS.generate n (\g -> (g `div` cols) * 1000 + g `mod` cols)
      bs `shouldSatisfy` tiles n
      bs `shouldSatisfy` all (\(s, e) -> s `mod` cols == 0 && e - s == min (2 * cols) (n - s))

  it "forRows on a slice that does not start at a row gives the partial first row" $ do
    v <- VSM.replicate 10 (-1 :: Int)
    -- slices [0,3) and [3,5) of a 5-element view; rows of 4
    bs <- parallelSlices (split (StaticChunk 3)) (VSM.slice 3 5 v) $ \sl -> do
      S.forRows 4 sl $ \r row -> S.forSlice row $ \i -> S.write row i (r * 10 + S.localIndex row i)
      pure (S.sliceStart sl, S.sliceEnd sl)
    bs `shouldBe` [(0, 3), (3, 5)]
    VS.freeze v `shouldReturn` VS.fromList [-1, -1, -1, 0, 1, 2, 0, 10, -1, -1]

  it "subSlice stays inside its slice (clamped)" $ do
    v <- VSM.replicate 100 (0 :: Int)
    bs <- parallelSlices (split (StaticChunk 10)) v $ \sl -> do
      forM_ [(-5, 3), (2, 7), (8, 20), (30, 40), (6, 2)] $ \(a, b) ->
        S.forSlice (S.subSlice a b sl) $ \i -> S.modify sl i (+ 1)
      pure (S.sliceStart sl, S.sliceEnd sl, S.sliceLength (S.subSlice 8 20 sl), S.sliceLength (S.subSlice 6 2 sl))
    bs `shouldSatisfy` all (\(_, _, l1, l2) -> l1 == 2 && l2 == 0)
    VS.freeze v `shouldReturn` VS.generate 100 (\g -> [1, 1, 2, 1, 1, 1, 1, 0, 1, 1] !! (g `mod` 10))

  modifyMaxSuccess (const 200) $
    it "parallelReduce equals the sequential fold (QuickCheck: sizes, schedules, chunk sizes incl. 0 and 1, blocks, teams)" $
      property $ \(NonNegative n0) (NonNegative k0) (Positive b0) (t0 :: Int) (si :: Int) -> ioProperty $ do
        let n = n0 `mod` 3000
            k = k0 `mod` 20
            blk = 1 + b0 `mod` 9
            t = if t0 `mod` 5 == 0 then Nothing else Just (t0 `mod` 5)  -- Nothing: the default team
            sched = [Static, StaticChunk k, Dynamic k, Guided k, Auto] !! (si `mod` 5)
            sp = Split sched blk t
            xs = VS.generate n (\i -> (i * 7919) `mod` 1009 - 500) :: VS.Vector Int
        v <- VS.thaw xs
        total <- parallelReduce sp v (+) 0 $ \sl -> S.foldSlice sl 0 (\acc i -> (acc +) <$> S.read sl i)
        -- a non-commutative operator: the slices' indices, concatenated in order
        order <- parallelReduce sp v (++) [] $ \sl ->
          reverse <$> S.foldSlice sl [] (\acc i -> pure (S.globalIndex i : acc))
        bs <- bounds sp v
        pure $ counterexample (show (sched, blk, t, n, bs)) $
          total === VS.sum xs .&&. order === [0 .. n - 1] .&&. tiles n bs
            .&&. all (\(s, _) -> s `mod` blk == 0) bs

  it "an exception in a body is re-thrown in the caller after the loop" $ do
    v <- VSM.replicate 1000 (0 :: Int)
    parallelSlices_ (onTeam 2 (split (Dynamic 10))) v (\sl ->
        if S.sliceStart sl == 500 then error "slice 500" else S.forSlice sl (\i -> S.write sl i 1))
      `shouldThrow` (\(e :: ErrorCall) -> "slice 500" `isInfixOf` show e)
    res <- VS.freeze v
    VS.sum res `shouldBe` 990
    -- a lazy result that throws is forced on the worker
    (parallelSlices (split Static) v (\sl -> pure (if S.sliceStart sl == 0 then error "lazy" else ())) >> pure ())
      `shouldThrow` (\(e :: ErrorCall) -> "lazy" `isInfixOf` show e)

  it "other Haskell threads make progress during a long slice loop" $ do
    counter <- newIORef (0 :: Int)
    stop <- newIORef False
    done <- newEmptyMVar
    _ <- forkIO $ (`finally` putMVar done ()) $
      let go = do s <- readIORef stop
                  unless s (atomicModifyIORef' counter (\c -> (c + 1, ())) >> yield >> go)
       in go
    v <- VSM.replicate 2000000 (1 :: Double)
    (before, after) <- within 120 $ (`finally` (writeIORef stop True >> takeMVar done)) $ do
      c0 <- readIORef counter
      forM_ [1 .. 5 :: Int] $ \_ ->
        parallelSlices_ (split (Dynamic 4096)) v $ \sl ->
          S.forSlice sl $ \i -> S.modify sl i (\x -> sqrt (x * x + 1) - 0.5)
      c1 <- readIORef counter
      pure (c0, c1)
    after - before `shouldSatisfy` (> 0)

  it "the vector stays alive during the loop when nothing else references it (GC storm, finalizer, pinned reuse)" $ do
    -- Each round's vector is reachable only through the call.  Its
    -- ForeignPtr has a finalizer that records when it ran: a finalizer run
    -- before the call returned means the memory was released under the
    -- running bodies.  The storm also allocates pinned vectors of -1 of the
    -- same size, which would reuse that memory and change the sum.
    stop <- newIORef False
    done <- newEmptyMVar
    let n = 300000
    _ <- forkIO $ (`finally` putMVar done ()) $
      let go k = do s <- readIORef stop
                    unless s $ do
                      p <- VSM.replicate n (-1 :: Int)
                      VSM.write p 0 k
                      performGC
                      go (k + 1)
       in go (0 :: Int)
    rounds <- within 120 $ (`finally` (writeIORef stop True >> takeMVar done)) $ forM [1 .. 40 :: Int] $ \r -> do
      freedAt <- newIORef Nothing
      fp <- mallocForeignPtrArray n
      FC.addForeignPtrFinalizer fp (getMonotonicTimeNSec >>= writeIORef freedAt . Just)
      let v = VSM.unsafeFromForeignPtr0 fp n
      VSM.set v r
      lastRead <- newIORef 0
      total <- parallelReduce (onTeam 2 (split (Dynamic 8192))) v (+) 0 $ \sl -> do
        x <- S.foldSlice sl 0 (\acc i -> (acc +) <$> S.read sl i)
        stampRead lastRead x `seq` pure x
      end <- readIORef lastRead
      pure (total, end, freedAt)
    -- finalizers run in their own thread after a GC: wait for all (5 s at most)
    let settle :: Int -> IO [Maybe Bool]
        settle k = do
          performGC >> threadDelay 10000
          fs <- forM rounds $ \(_, end, ref) -> fmap (> end) <$> readIORef ref
          if all (/= Nothing) fs || k >= 500 then pure fs else settle (k + 1)
    freed <- settle 0
    -- every finalizer ran, after its call
    freed `shouldBe` replicate 40 (Just True)
    map (\(t, _, _) -> t) rounds `shouldBe` [n * r | r <- [1 .. 40]]

  it "an empty vector runs no body" $ do
    v <- VSM.new 0 :: IO (VSM.IOVector Int)
    parallelSlices (split Static) v (\_ -> pure ()) `shouldReturn` []
    parallelReduce (split Static) v (+) (42 :: Int) (\_ -> pure 1) `shouldReturn` 42

  describe "compile-fail modules (ghc -fno-code -isrc)" $ do
    it "the control module Good.hs compiles" $ do
      (code, err) <- typecheck "Good"
      (code, err) `shouldSatisfy` ((== ExitSuccess) . fst)
    forM_ badModules $ \(modName, expected) ->
      it (modName ++ ".hs is rejected with: " ++ unwords (map show expected)) $ do
        (code, err) <- typecheck modName
        code `shouldNotBe` ExitSuccess
        -- the error is in the bad module, not in the library
        err `shouldSatisfy` (("test/compile-fail/" ++ modName ++ ".hs:") `isInfixOf`)
        forM_ expected $ \e -> err `shouldSatisfy` (e `isInfixOf`)

-- | Each bad module and fragments of the type error it must produce (no
-- quote characters: GHC prints ASCII or Unicode quotes by locale).
badModules :: [(String, [String])]
badModules =
  [ ("OutOfSlice", ["No instance for (Num (Ix s))"])
  , ("WriteParent", ["Couldn't match type", "PrimState", "SliceM s"])
  , ("WriteIORef", ["Couldn't match expected type", "SliceM s ()", "IO ()"])
  , ("LeakIndex", ["Maybe (Ix s)", "would escape its scope"])
  , ("LeakSlice", ["Slice s Double", "would escape its scope"])
  , ("CoerceIndex", ["Couldn't match type", "arising from a use of", "coerce"])
  , ("MakeIndex", ["Data constructor not in scope: Ix"])
  ]

-- | Typecheck test/compile-fail/<name>.hs against the package's sources;
-- returns the exit code and stderr.
typecheck :: String -> IO (ExitCode, String)
typecheck modName = do
  tmp <- getTemporaryDirectory
  let out = tmp ++ "/hsomp-compile-fail-" ++ modName
  createDirectoryIfMissing True out
  r <- within 180 $ readProcessWithExitCode "timeout"
         ["170", "ghc", "-fno-code", "-package-env=-", "-isrc", "-outputdir", out,
          "test/compile-fail/" ++ modName ++ ".hs"] ""
  removeDirectoryRecursive out
  let (code, _, err) = r
  pure (code, err)

-- | Record in the 'IORef' the time a body finished reading its slice (the
-- latest of all bodies), for the liveness tests: the vector's finalizer must
-- run after every read.  The time right after the call returns would not
-- do: the vector is garbage from then on, so a GC and its finalizer may run
-- before that time is taken.  A body cannot do IO ('S.SliceM' is not 'IO'),
-- hence the 'unsafePerformIO', forced after the reads by the caller's 'seq'.
stampRead :: IORef Word64 -> Int -> ()
stampRead ref x = unsafePerformIO $ x `seq` do
  t <- getMonotonicTimeNSec
  atomicModifyIORef' ref (\m -> (max m t, ()))
{-# NOINLINE stampRead #-}
