{-# LANGUAGE LinearTypes #-}
{-# LANGUAGE RankNTypes #-}
{-# LANGUAGE ScopedTypeVariables #-}
-- | Tests of HsOmp.Slice.Linear: random split trees (QuickCheck) whose jobs
-- write every owned element exactly once and nothing else, with results in
-- range order whatever the plan order; reductions equal to sequential
-- folds; exceptions; a GC storm; the triangular workload's user-chosen
-- splits; and the compile-fail modules test/compile-fail/Linear*.hs (the
-- harness of SliceSpec: ghc -fno-code -isrc).
module LinearSliceSpec (linearSliceSpec) where

import Control.Concurrent (threadDelay)
import Control.Exception
import Control.Monad
import Data.IORef
import Data.List (isInfixOf)
import Foreign.C.Types (CInt (..), CLong (..))
import Foreign.Ptr (Ptr)
import Foreign.ForeignPtr (mallocForeignPtrArray)
import qualified Foreign.Concurrent as FC
import GHC.Clock (getMonotonicTimeNSec)
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import System.Exit (ExitCode (..))
import System.Mem (performGC)
import System.Timeout (timeout)
import Test.Hspec
import Test.Hspec.QuickCheck (modifyMaxSuccess)
import Test.QuickCheck hiding (within)

import HsOmp (Schedule (..), withMVectorPtr)
import qualified HsOmp.Slice as S
import HsOmp.Slice.Linear
import Measure (underGcStorm)
import SliceSpec (stampRead, typecheck)
import Triangular

within :: Int -> IO a -> IO a
within secs act = timeout (secs * 1000000) act
  >>= maybe (throwIO (userError ("timed out after " ++ show secs ++ " s"))) pure

------------------------------------------------------------------------------
-- Split trees

-- | A plan's shape: how to take a token apart, and what to do with the
-- parts (True: run a job, False: skip).
data Tree
  = Leaf Bool
  | At Int Tree Tree       -- ^ splitWith k, left part's plan first
  | AtSwapped Int Tree Tree -- ^ splitAt k, right part's plan first
  | Halves Tree Tree
  | Chunks Int [Bool]      -- ^ chunksOf k, parts run or skipped cyclically
  | Cuts [Int] [Bool]      -- ^ cutAt offsets
  deriving (Show)

instance Arbitrary Tree where
  arbitrary = sized tree
    where
      tree 0 = Leaf <$> frequency [(4, pure True), (1, pure False)]
      tree d = frequency
        [ (2, tree 0)
        , (3, At <$> offset <*> sub <*> sub)
        , (2, AtSwapped <$> offset <*> sub <*> sub)
        , (2, Halves <$> sub <*> sub)
        , (1, Chunks <$> choose (-1, 60) <*> flags)
        , (1, Cuts <$> listOf offset <*> flags)
        ]
        where sub = tree (d `div` 2)
      offset = choose (-5, 300)
      flags = listOf1 (frequency [(4, pure True), (1, pure False)])
  shrink (At k l r) = [l, r] ++ [At k' l r | k' <- shrink k] ++ [At k l' r | l' <- shrink l] ++ [At k l r' | r' <- shrink r]
  shrink (AtSwapped k l r) = [l, r, At k l r]
  shrink (Halves l r) = [l, r]
  shrink _ = []

-- | A job's result: its range.
type Ranges = [(Int, Int)]

-- | The plan of a tree whose jobs add 1 to each element and return their
-- range.
plan :: Tree -> Owned s Int %1 -> Plan s Ranges
plan tree o = mapPlan tree o (\sl -> do
  S.forSlice sl (\i -> S.modify sl i (+ 1))
  pure [(S.sliceStart sl, S.sliceEnd sl)])

-- | The model: the parts of [lo, hi) a tree makes, in range order, each
-- with whether it is run.
model :: Tree -> Int -> Int -> [(Int, Int, Bool)]
model t lo hi = case t of
  Leaf b -> [(lo, hi, b)]
  At k l r -> let m = cut k in model l lo m ++ model r m hi
  AtSwapped k l r -> let m = cut k in model l lo m ++ model r m hi
  Halves l r -> let m = lo + (hi - lo) `quot` 2 in model l lo m ++ model r m hi
  Chunks k bs -> let k' = max 1 k
                     starts = if hi - lo <= k' then [lo] else [lo, lo + k' .. hi - 1]
                  in zipWith (\s b -> (s, min hi (s + k'), b)) starts (cycle bs)
  Cuts cs bs -> let qs = drop 1 (scanl (\q c -> min (hi - lo) (max q c)) 0 cs)
                    bounds = zip (lo : map (lo +) qs) (map (lo +) qs ++ [hi])
                 in zipWith (\(a, e) b -> (a, e, b)) bounds (cycle bs)
  where
    cut k = lo + max 0 (min (hi - lo) k)

------------------------------------------------------------------------------

foreign import ccall unsafe "fj_set_other" c_setOther :: Ptr Double -> CLong -> IO ()
foreign import ccall safe "fj_rendezvous" c_rendezvous :: Ptr Double -> CLong -> IO CInt
foreign import ccall safe "fj_double" c_double :: Ptr Double -> CLong -> IO ()

-- | The Haskell half of the rendezvous with fj_rendezvous: wait (bounded)
-- for C's signal in this part's last element, then answer 2 in its first.
rendezvousBody :: S.Slice t Double -> S.SliceM t Bool
rendezvousBody sl = do
  let len = S.sliceLength sl
  ok <- S.foldSlice (S.subSlice (len - 1) len sl) False (\_ i -> spin i (4000000000 :: Int))
  S.forSlice (S.subSlice 0 1 sl) (\i -> S.write sl i 2)
  pure ok
  where
    spin i k = do
      x <- S.read sl i
      if x == 1 then pure True else if k == 0 then pure False else spin i (k - 1)

linearSliceSpec :: Spec
linearSliceSpec = describe "HsOmp.Slice.Linear" $ do
  describe "runForeign (a part handed to C)" $ do
    it "a C job and a Haskell job of one plan run at the same time (each waits for the other)" $ do
      let n = 1000
      v <- VSM.replicate (2 * n) (0 :: Double)
      oks <- withMVectorPtr v $ \base -> do
        c_setOther base (fromIntegral n)
        withOwnedResults (Just 2) v (\o -> splitWith n o (\a b ->
          runForeign b (\p len -> (== 1) <$> c_rendezvous p (fromIntegral len)) <+> run a rendezvousBody))
      oks `shouldBe` [True, True]
      out <- VS.freeze v
      VS.take 1 out `shouldBe` VS.fromList [2]
      out VS.! (n - 1) `shouldBe` 1
      VS.drop n out `shouldBe` VS.replicate n 3
    it "C gets its own part (pointer at the part's start, its length), beside Haskell jobs, under a GC storm" $ do
      let n = 100000
      void $ underGcStorm $ forM_ [1 :: Int .. 20] $ \_ -> do
        v <- VSM.generate n fromIntegral
        lens <- withOwnedResults Nothing v (\o -> foreignEach (cutAt [30000, 70000] o))
        lens `shouldBe` [30000, 40000, 30000]
        out <- VS.freeze v
        out `shouldBe` VS.generate n (\i -> if i >= 30000 && i < 70000 then 2 * fromIntegral i else fromIntegral i + 1)

  modifyMaxSuccess (const 300) $
    it "random split trees: every run element written once, skipped ones never, results in range order (QuickCheck: trees, sizes, teams)" $
      property $ \tree (NonNegative n0) (t0 :: Int) -> ioProperty $ do
        let n = n0 `mod` 700
            t = if t0 `mod` 5 == 0 then Nothing else Just (t0 `mod` 5)  -- Nothing: the default team
            parts = model tree 0 n
            expected = VS.generate n (\i -> if or [b | (a, e, b) <- parts, a <= i, i < e] then 1 else 0)
        v <- VSM.replicate n (0 :: Int)
        rs <- within 60 $ withOwnedResults t v (plan tree)
        got <- VS.freeze v
        pure $ counterexample (show (n, t, parts)) $
          got === expected
            .&&. concat rs === [(a, e) | (a, e, True) <- parts]
            .&&. all (\(a, e) -> a <= e) (concat rs)

  it "the model's parts tile the vector (the model itself is checked)" $
    property $ \tree (NonNegative n0) ->
      let n = n0 `mod` 700
          ps = model tree 0 n
       in counterexample (show ps) $
            and (zipWith (\(_, e, _) (s, _, _) -> e == s) ps (drop 1 ps))
              && (case ps of [] -> False; (s, _, _) : _ -> s == 0)
              && (case reverse ps of [] -> False; (_, e, _) : _ -> e == n)

  modifyMaxSuccess (const 100) $
    it "withOwnedReduce equals the sequential fold over the run parts (QuickCheck; non-commutative op)" $
      property $ \tree (NonNegative n0) -> ioProperty $ do
        let n = n0 `mod` 700
            xs = VS.generate n (\i -> (i * 7919) `mod` 1009 - 500) :: VS.Vector Int
            runParts = [(a, e) | (a, e, True) <- model tree 0 n]
        v <- VS.thaw xs
        order <- withOwnedReduce (Just 2) v (++) [] (indices tree)
        total <- withOwnedReduce (Just 2) v (+) 0 (sums tree)
        pure $ order === concat [[a .. e - 1] | (a, e) <- runParts]
          .&&. total === sum [VS.sum (VS.slice a (e - a) xs) | (a, e) <- runParts]

  it "queries: ownedLength and ownedRange give the part, splitAt and cutAt clamp" $ do
    v <- VSM.replicate 100 (0 :: Int)
    rs <- withOwnedResults (Just 1) (VSM.slice 10 50 v) (\o -> q1 (ownedLength o))
    rs `shouldBe` [(50, 0, 0), (50, 50, 0)]
    rs2 <- withOwnedResults (Just 1) v (\o -> q2 (ownedRange o))
    rs2 `shouldBe` [(0, 100, 0), (100, 100, 0)]
    rs3 <- withOwnedResults (Just 1) v (\o -> each lengthJob (cutAt [30, 20, 200, -4] o))
    rs3 `shouldBe` map (\l -> (l, 0, 0)) [30, 0, 70, 0, 0]

  it "an exception in a job is re-thrown after the other jobs ran; one in the plan is thrown before any" $ do
    v <- VSM.replicate 1000 (0 :: Int)
    withOwned (Just 2) v (\o -> each (\p -> run p (\sl ->
        if S.sliceStart sl == 500 then error "part 500" else S.forSlice sl (\i -> S.write sl i 1))) (chunksOf 100 o))
      `shouldThrow` (\(e :: ErrorCall) -> "part 500" `isInfixOf` show e)
    VS.sum <$> VS.freeze v `shouldReturn` 900
    VSM.set v 0
    withOwned (Just 2) v (\o -> splitWith (error "bad offset") o (\a b -> job' a <+> job' b))
      `shouldThrow` (\(e :: ErrorCall) -> "bad offset" `isInfixOf` show e)
    VS.sum <$> VS.freeze v `shouldReturn` 0

  it "an empty vector gives one empty part" $ do
    v <- VSM.new 0 :: IO (VSM.IOVector Int)
    withOwnedResults Nothing v (\o -> run o (pure . S.sliceLength)) `shouldReturn` [0]
    withOwnedReduce Nothing v (+) (42 :: Int) skip `shouldReturn` 42

  it "about 4000 jobs (chunks of 49) under a GC storm: every element written once" $ do
    let n = 200000
    v <- VSM.replicate n (0 :: Int)
    (rs, _) <- within 120 $ underGcStorm $ forM [1 .. 5 :: Int] $ \_ ->
      withOwnedReduce (Just 2) v (+) 0 (\o -> each (\p -> run p (\sl -> do
        S.forSlice sl (\i -> S.modify sl i (+ 1))
        pure (S.sliceLength sl))) (chunksOf 49 o))
    rs `shouldBe` replicate 5 n
    VS.all (== 5) <$> VS.freeze v `shouldReturn` True

  it "the vector stays alive during the call when nothing else references it (GC storm; its finalizer runs after the call)" $ do
    -- As SliceSpec's liveness test: each round's vector is reachable only
    -- through the call, and its finalizer records when it ran.
    let n = 300000
    (rounds, _) <- within 120 $ underGcStorm $ forM [1 .. 20 :: Int] $ \r -> do
      freedAt <- newIORef Nothing
      fp <- mallocForeignPtrArray n
      FC.addForeignPtrFinalizer fp (getMonotonicTimeNSec >>= writeIORef freedAt . Just)
      let v = VSM.unsafeFromForeignPtr0 fp n
      VSM.set v r
      lastRead <- newIORef 0
      total <- withOwnedReduce (Just 2) v (+) 0 (\o -> mapPlan (Chunks 4096 [True]) o (\sl -> do
        x <- S.foldSlice sl 0 (\acc i -> (acc +) <$> S.read sl i)
        stampRead lastRead x `seq` pure x))
      end <- readIORef lastRead
      pure (total, end, freedAt)
    let settle :: Int -> IO [Maybe Bool]
        settle k = do
          performGC >> threadDelay 10000
          fs <- forM rounds $ \(_, end, ref) -> fmap (> end) <$> readIORef ref
          if all (/= Nothing) fs || k >= 500 then pure fs else settle (k + 1)
    settle 0 `shouldReturn` replicate 20 (Just True)
    map (\(t, _, _) -> t) rounds `shouldBe` [n * r | r <- [1 .. 20]]

  it "the triangular product with user-chosen splits equals the sequential one" $ do
    let n = 601
        t = newTri n
    ref <- VSM.new n
    triSequential t ref
    expected <- VS.freeze ref
    forM_ [(th, way) | th <- [1, 2, 3], way <- [0 .. 3 :: Int]] $ \(th, way) -> do
      y <- VSM.replicate n (-1)
      case way of
        0 -> triBalanced th th t y
        1 -> triBalanced th 7 t y
        2 -> triHalving th 3 t y
        _ -> triSlices th (Dynamic 16) t y
      VS.freeze y `shouldReturn` expected
    workCuts 1000 4 `shouldBe` [500, 707, 866]
    map (uncurry workMid) [(0, 1000), (500, 1000), (5, 5)] `shouldBe` [707, 791, 5]

  describe "compile-fail modules (ghc -fno-code -isrc)" $ do
    it "the control module LinearGood.hs (recursive halving, chunks, cuts, a reduction) compiles" $ do
      (code, err) <- typecheck "LinearGood"
      (code, err) `shouldSatisfy` ((== ExitSuccess) . fst)
    forM_ badModules $ \(modName, line, expected) ->
      it (modName ++ ".hs is rejected at line " ++ show line ++ " with: " ++ unwords (map show expected)) $ do
        (code, err) <- typecheck modName
        code `shouldNotBe` ExitSuccess
        err `shouldSatisfy` (("test/compile-fail/" ++ modName ++ ".hs:" ++ show line ++ ":") `isInfixOf`)
        forM_ expected $ \e -> err `shouldSatisfy` (e `isInfixOf`)

-- | Each bad module, the line of its error, and fragments of the error (no
-- quote characters: GHC prints ASCII or Unicode quotes by locale).
badModules :: [(String, Int, [String])]
badModules =
  [ ("LinearTwice", 12, ["Many", "One", "arising from multiplicity of", "whole"])
  , ("LinearDrop", 15, ["Many", "One", "arising from a non-linear pattern", "In the pattern: _"])
  , ("LinearEscape", 12, ["Many", "One", "arising from multiplicity of", "b"])
  , ("LinearLeakSlice", 12, ["because type variable", "t", "would escape its scope"])
  , ("LinearMix", 12, ["Plan s ()", "IO ()", "is a rigid type variable"])
  , ("LinearUnrestricted", 11, ["Expected: Owned s Double %1 -> Plan s ()", "Actual: Owned s Double -> Plan s ()"])
  , ("LinearForeignCapture", 12, ["Many", "One", "arising from multiplicity of", "b"])
  , ("LinearForeignTwice", 12, ["Many", "One", "arising from multiplicity of", "o"])
  ]

-- | Three parts: Haskell (+1), C (fj_double), Haskell (+1); each job
-- returns its part's length.
foreignEach :: [Owned s Double] %1 -> Plan s Int
foreignEach [a, b, c] = hs a <+> runForeign b (\p len -> len <$ c_double p (fromIntegral len)) <+> hs c
  where
    hs :: Owned s Double %1 -> Plan s Int
    hs o = run o (\sl -> S.sliceLength sl <$ S.forSlice sl (\i -> S.modify sl i (+ 1)))
foreignEach parts = each skip parts

job' :: Owned s Int %1 -> Plan s ()
job' o = run o (\sl -> S.forSlice sl (\i -> S.write sl i 1))

lengthJob :: Owned s Int %1 -> Plan s (Int, Int, Int)
lengthJob o = run o (\sl -> pure (S.sliceLength sl, 0, 0))

q1 :: (Unrestricted Int, Owned s Int) %1 -> Plan s (Int, Int, Int)
q1 (Unrestricted len, o) = splitWith len o (\a b -> lengthJob a <+> run b (\sl -> pure (len, S.sliceStart sl, S.sliceLength sl)))

q2 :: (Unrestricted (Int, Int), Owned s Int) %1 -> Plan s (Int, Int, Int)
q2 (Unrestricted (lo, hi), o) = splitWith 1000 o (\a b -> run a (\_ -> pure (lo, hi, 0)) <+> run b (\sl -> pure (S.sliceStart sl, S.sliceEnd sl, S.sliceLength sl)))

indices :: Tree -> Owned s Int %1 -> Plan s [Int]
indices tree o = mapPlan tree o (\sl -> reverse <$> S.foldSlice sl [] (\acc i -> pure (S.globalIndex i : acc)))

sums :: Tree -> Owned s Int %1 -> Plan s Int
sums tree o = mapPlan tree o (\sl -> S.foldSlice sl 0 (\acc i -> (acc +) <$> S.read sl i))

-- | The plan of a tree with the given body for its run parts.
mapPlan :: Tree -> Owned s Int %1 -> (forall t. S.Slice t Int -> S.SliceM t r) -> Plan s r
mapPlan (Leaf True) o body = run o body
mapPlan (Leaf False) o _ = skip o
mapPlan (At k l r) o body = splitWith k o (\a b -> mapPlan l a body <+> mapPlan r b body)
mapPlan (AtSwapped k l r) o body = splitWith k o (\a b -> mapPlan r b body <+> mapPlan l a body)
mapPlan (Halves l r) o body = halvesWith (halves o) (\a b -> mapPlan l a body <+> mapPlan r b body)
mapPlan (Chunks k bs) o body = leavesWith (cycle bs) (chunksOf k o) body
mapPlan (Cuts cs bs) o body = leavesWith (cycle bs) (cutAt cs o) body

halvesWith :: (Owned s Int, Owned s Int) %1 -> (Owned s Int %1 -> Owned s Int %1 -> b) %1 -> b
halvesWith (a, b) k = k a b

leavesWith :: [Bool] -> [Owned s Int] %1 -> (forall t. S.Slice t Int -> S.SliceM t r) -> Plan s r
leavesWith _ [] _ = done
leavesWith bs (o : os) body = mapPlan (Leaf (head bs)) o body <+> leavesWith (tail bs) os body
