{-# LANGUAGE ScopedTypeVariables #-}
-- | The hsomp package's test-suite: the omp_* bindings, OpenMP C kernels
-- called from Haskell, regions next to Haskell threads and under GC storms,
-- callbacks and parallel for with Haskell bodies, the Cmm primitives, the
-- batched safe calls, and OpenBLAS running on the program's own runtime.
-- Lines starting with "  [measure]" report the measured figures.
module Main (main) where

import Control.Concurrent
import Control.Exception
import Control.Monad
import Data.IORef
import Data.List (isInfixOf, nub, sort)
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.C.String
import Foreign.C.Types
import Foreign.Marshal.Alloc
import Foreign.Marshal.Array
import Foreign.Ptr
import Foreign.Storable
import System.Directory (doesFileExist, getTemporaryDirectory, removeFile)
import System.Environment (getArgs, getExecutablePath)
import System.Exit (ExitCode (..))
import System.IO (BufferMode (..), hSetBuffering, stdout)
import System.Process (readProcessWithExitCode)
import System.Timeout (timeout)
import Test.Hspec
import Text.Printf (printf)

import HsOmp
import HsOmp.Batch
import HsOmp.Callback (newWrapperCallback, teamSizeArg)
import HsOmp.Prim
import CmmSpec (cmmSpec)
import ArraySpec (arraySpec)
import Kernels
import Measure
import SliceSpec (sliceSpec)
import LinearSliceSpec (linearSliceSpec)
import ForkSpec (forkSpec)
import PureSpec (pureSpec)
import InterruptSpec (interruptSpec, interruptChild)
import CrowdSpec (crowdSpec)
import CallbackServerSpec (callbackServerSpec, callbackServerChild)
import BesideBusySpec (besideBusySpec)
import Stats

teamSizes :: [Int]
teamSizes = [1, 2, 3, 8]

measure :: String -> IO ()
measure s = putStrLn ("  [measure] " ++ s)

-- | Fail instead of hanging.
within :: Int -> IO a -> IO a
within secs act = timeout (secs * 1000000) act >>= maybe (throwIO (userError ("timed out after " ++ show secs ++ " s"))) pure

main :: IO ()
main = do
  args <- getArgs
  case args of
    ["--child-region-output"] -> childRegionOutput
    ["--child-interrupt", mode] -> interruptChild mode
    ["--child-callbacks", mode] -> callbackServerChild mode
    _ -> hSetBuffering stdout LineBuffering >> hspec specs

specs :: Spec
specs = do
  bindingsSpec
  kernelsSpec
  concurrencySpec
  callbackSpec
  primSpec
  batchSpec
  blasSpec
  cmmSpec
  arraySpec
  sliceSpec
  linearSliceSpec
  forkSpec
  pureSpec
  interruptSpec
  crowdSpec
  callbackServerSpec
  besideBusySpec
  measureSpec

-- | Run a region, then print with stdout's default buffering (a pipe: block
-- buffered) and exit.
childRegionOutput :: IO ()
childRegionOutput = do
  r <- c_small_region 2 1000
  putStrLn ("child-ok " ++ show r)

------------------------------------------------------------------------------
bindingsSpec :: Spec
bindingsSpec = describe "omp_* bindings" $ do
  it "answer outside any region" $ do
    numThreads `shouldReturn` 1
    threadNum `shouldReturn` 0
    inParallel `shouldReturn` False
    level `shouldReturn` 0
    n <- numProcs
    n `shouldSatisfy` (>= 1)
  it "see the program's Capabilities" $ do
    caps <- getNumCapabilities
    runtimeCapabilities `shouldReturn` caps
    boundCapability `shouldReturn` Nothing
  it "withNumThreads sets and restores nthreads-var on one OS thread" $ do
    before <- runInBoundThread maxThreads
    forM_ teamSizes $ \n -> withNumThreads n maxThreads `shouldReturn` n
    runInBoundThread maxThreads `shouldReturn` before
    -- and the regions started inside use it
    forM_ teamSizes $ \n -> do
      size <- withNumThreads n $ allocaArray (3 * n) $ \p -> c_team_info 0 p
      size `shouldBe` fromIntegral n
  it "round-trip the runtime schedule" $ runInBoundThread $ do
    forM_ [Dynamic 7, Guided 3, StaticChunk 5, Static, Auto, Dynamic 1] $ \s -> do
      setSchedule s
      getSchedule `shouldReturn` s
    setSchedule Runtime `shouldThrow` anyIOException
  it "locks exclude each other across Haskell threads and OpenMP threads" $ do
    l <- newLock
    r <- newIORef (0 :: Int)
    let bump = withLock l $ do
          v <- readIORef r
          yield
          writeIORef r (v + 1)
    dones <- forM [1 .. 4 :: Int] $ \_ -> do
      d <- newEmptyMVar
      _ <- forkIO (replicateM_ 200 bump `finally` putMVar d ())
      pure d
    parallelForN (Just 3) (Dynamic 1) 0 300 (\lo hi -> replicateM_ (hi - lo) bump)
    mapM_ takeMVar dones
    readIORef r `shouldReturn` 1100
  it "a program's buffered stdout is flushed at exit after regions ran" $ do
    -- The runtime joins the program's RTS without re-initialising it (an
    -- extra hs_init reference made the exit skip flushing stdout).
    exe <- getExecutablePath
    (code, out, err) <- readProcessWithExitCode exe ["--child-region-output"] ""
    (code, out, err) `shouldBe` (ExitSuccess, "child-ok 499500\n", "")
  it "wtime advances" $ do
    t0 <- wtime
    threadDelay 20000
    t1 <- wtime
    (t1 - t0) `shouldSatisfy` (\d -> d > 0.015 && d < 5)

------------------------------------------------------------------------------
kernelsSpec :: Spec
kernelsSpec = describe "OpenMP C kernels via safe FFI" $ do
  let n = 100003 :: Int
      xs = VS.generate n (\i -> fromIntegral (i `mod` 13) :: CDouble)
      ys = VS.generate n (\i -> fromIntegral (i `mod` 7) - 3 :: CDouble)
  forM_ teamSizes $ \t -> do
    it ("dot product equals the Haskell reference, " ++ show t ++ " threads") $ do
      -- integer-valued terms: every summation order gives the exact sum
      let ref = VS.sum (VS.zipWith (*) xs ys)
      r <- withNumThreads t $ VS.unsafeWith xs $ \px -> VS.unsafeWith ys $ \py ->
             c_dot px py (fromIntegral n)
      r `shouldBe` ref
    it ("SAXPY equals the Haskell reference, " ++ show t ++ " threads") $ do
      let a = 1.75 :: CFloat
          fx = VS.generate n (\i -> fromIntegral (i `mod` 101) * 0.37 :: CFloat)
          fy = VS.generate n (\i -> fromIntegral (i `mod` 17) - 2.5 :: CFloat)
          ref = VS.zipWith (\x y -> a * x + y) fx fy
      out <- VS.thaw fy
      withNumThreads t $ VS.unsafeWith fx $ \px -> VSM.unsafeWith out $ \py ->
        c_saxpy a px py (fromIntegral n)
      res <- VS.freeze out
      res `shouldBe` ref
    it ("sin-sum equals the Haskell reference, " ++ show t ++ " threads") $ do
      let m = 200000 :: Int
          ref = sum [sin (fromIntegral i * 0.001) | i <- [0 .. m - 1]] :: Double
      r <- realToFrac <$> withNumThreads t (c_sin_sum (fromIntegral m))
      abs (r - ref) `shouldSatisfy` (< 1e-9 * max 1 (abs ref))
  it "run on hsomp's workers, bound to the program's Capabilities" $ do
    caps <- getNumCapabilities
    forM_ teamSizes $ \t -> allocaArray (3 * t) $ \p -> do
      size <- c_team_info (fromIntegral t) p
      size `shouldBe` fromIntegral t
      info <- peekArray (3 * t) p
      let rows = [(a, b, c) | [a, b, c] <- chunks3 info]
      sort [a | (a, _, _) <- rows] `shouldBe` [0 .. fromIntegral t - 1]
      all (\(_, b, _) -> b == fromIntegral t) rows `shouldBe` True
      forM_ rows $ \(tid, _, cap) ->
        if tid == 0
          then cap `shouldBe` (-1) -- the Haskell caller's own OS thread
          else cap `shouldSatisfy` (\c -> c >= 0 && c < fromIntegral caps)
  it "with no libgomp in the process: GOMP_parallel is the program's own" $ do
    maps <- readFile "/proc/self/maps"
    filter ("libgomp" `isInfixOf`) (lines maps) `shouldBe` []
    obj <- symbolObject "GOMP_parallel"
    exe <- symbolObject "main"
    obj `shouldBe` exe
  where
    chunks3 (a : b : c : rest) = [a, b, c] : chunks3 rest
    chunks3 _ = []

foreign import ccall unsafe "k_symbol_object" c_symbol_object :: CString -> CString -> CInt -> IO CInt

symbolObject :: String -> IO (Maybe String)
symbolObject name = withCString name $ \cn -> allocaBytes 4096 $ \buf -> do
  rc <- c_symbol_object cn buf 4096
  if rc /= 0 then pure Nothing else Just <$> peekCString buf

------------------------------------------------------------------------------
concurrencySpec :: Spec
concurrencySpec = describe "regions and Haskell threads" $ do
  it "a forkIO computation runs while an OpenMP region runs (overlap measured)" $ do
    -- Haskell work alone, the region alone, then both at once.  Overlap =
    -- (T_haskell + T_region - T_both) / min T: 100% when the two ran fully
    -- side by side, 0% when one waited for the other.
    let units = 40 :: Int
        haskellWork = forM_ [1 .. units] $ \k -> evaluate (allocateSome (k * 7919))
        regionSecs = 0.25 :: Double
        spin :: CInt -> IO (Double, Double)
        spin teamN = alloca $ \p0 -> alloca $ \p1 -> do
          got <- c_spin_region teamN (realToFrac regionSecs) p0 p1
          got `shouldBe` teamN
          (,) <$> (realToFrac <$> peek p0) <*> (realToFrac <$> peek p1)
    (_, tH) <- timeNs haskellWork
    forM_ [1, 2] $ \teamN -> do
      (_, tR) <- timeNs (spin teamN)
      done <- newEmptyMVar
      stamps <- newIORef []
      start <- nowNs
      _ <- forkIO $ do
        forM_ [1 .. units] $ \k -> do
          _ <- evaluate (allocateSome (k * 7919))
          t <- nowNs
          modifyIORef' stamps (t :)
        nowNs >>= putMVar done
      (t0, t1) <- spin teamN
      regionEnd <- nowNs
      hEnd <- takeMVar done
      unitTimes <- map ((/ 1e9) . fromIntegral) <$> readIORef stamps
      let tBoth = fromIntegral (max regionEnd hEnd - start)
          -- noise in the runs alone can push the ratio past 1
          overlap = max 0 (min 1 ((tH + tR - tBoth) / min tH tR))
          inside = length (filter (\t -> t >= t0 && t <= t1) unitTimes)
      measure (printf "team of %d on 2 Capabilities: Haskell work alone %.0f ms, region alone %.0f ms, both %.0f ms: overlap %.0f%%, %d of %d Haskell work units done inside the region"
                 (fromIntegral teamN :: Int) (tH / 1e6) (tR / 1e6) (tBoth / 1e6) (overlap * 100) inside units)
      (t1 - t0) `shouldSatisfy` (>= regionSecs)
      -- Were the Haskell thread held up while the region runs, no unit
      -- would complete inside it.
      when (teamN == 1) $ inside `shouldSatisfy` (> 0)
  it "500 regions under a GC storm: no hang, right results (latency vs quiet)" $ do
    let regions = 500
        n = 100000
    quiet <- within 60 (regionLatencies regions n)
    -- 500 regions, then more rounds of 100 until the storm has forced at
    -- least 5 collections (a parallel GC on a loaded machine can take
    -- milliseconds); regionLatencies checks every region's result
    ((storm, rounds), gcs) <- within 120 $ withGcStorm $ \gcsSoFar -> do
      first <- regionLatencies regions n
      let more acc k = do
            g <- gcsSoFar
            if g >= 5 || k >= 200 then pure (acc, k)
              else regionLatencies 100 n >>= \ls -> more (acc ++ ls) (k + 1)
      more first (0 :: Int)
    let report name xs = measure (printf "%-6s region latency p50 %7.1f us  p99 %8.1f us  max %8.1f us"
                                    (name :: String) (percentile 50 xs / 1e3) (percentile 99 xs / 1e3)
                                    (maximum xs / 1e3))
    report "quiet" quiet
    report "storm" storm
    measure (printf "GCs forced during the storm: %d, over %d regions" gcs (regions + 100 * rounds))
    length storm `shouldBe` regions + 100 * rounds
    gcs `shouldSatisfy` (>= 5)
  it "regions started from several Haskell threads at once" $ do
    results <- forM [1 .. 4 :: Int] $ \k -> do
      v <- newEmptyMVar
      _ <- forkIO $ do
        rs <- forM [1 .. 50 :: Int] $ \_ -> c_small_region (fromIntegral (1 + k `mod` 3)) 2000
        putMVar v rs
      pure v
    rs <- within 60 (mapM takeMVar results)
    concat rs `shouldSatisfy` all (== 1999000)

------------------------------------------------------------------------------
callbackSpec :: Spec
callbackSpec = describe "callbacks and Haskell bodies on the OpenMP team" $ do
  forM_ teamSizes $ \t -> do
    it ("every worker calls a Haskell callback while GC runs, " ++ show t ++ " threads") $ do
      let per = 300
      allocaArray (3 * t) $ \slots -> do
        pokeArray slots (replicate (3 * t) 0)
        (rounds, gcs) <- within 60 $ stormRepeat 3 $
          withCallback (\p -> do
              let q = castPtr p :: Ptr CLong
              _ <- evaluate (length (show [1 .. 50 :: Int])) -- allocate
              c <- peekElemOff q 1
              v <- peekElemOff q 2
              pokeElemOff q 1 (c + 1)
              pokeElemOff q 2 (v + fromIntegral (sum [1 .. 100 :: Int])))
            (\cb -> c_callbacks (fromIntegral t) (castFunPtr (callbackEntry cb)) (callbackEnv cb)
                                per slots)
        rows <- peekArray (3 * t) slots
        let byThread = chunksOf3 rows
        map (\(a, _, _) -> a) byThread `shouldBe` map fromIntegral [0 .. t - 1]
        forM_ byThread $ \(_, calls, value) -> do
          calls `shouldBe` per * fromIntegral rounds
          value `shouldBe` per * fromIntegral rounds * 5050
        gcs `shouldSatisfy` (>= 3)
  it "the standard \"wrapper\" FunPtr works from workers too" $ do
    allocaArray (3 * 3) $ \slots -> do
      pokeArray slots (replicate 9 0)
      fp <- newWrapperCallback (\q -> do
              c <- peekElemOff q 1
              pokeElemOff q 1 (c + 1))
      c_callbacks_fp 3 fp 100 slots `finally` freeHaskellFunPtr fp
      rows <- peekArray 9 slots
      map (\(_, c, _) -> c) (chunksOf3 rows) `shouldBe` [100, 100, 100]
  forM_ [Static, StaticChunk 7, Dynamic 13, Guided 5, Auto, Runtime] $ \sched ->
    forM_ teamSizes $ \t ->
      it ("parallelFor " ++ show sched ++ " covers every index once, " ++ show t ++ " threads, under GC") $ do
        let lo = 5; hi = 10005
        v <- VSM.replicate (hi + 5) (0 :: Int)
        chunks <- newIORef (0 :: Int)
        _ <- within 60 $ underGcStorm $
          parallelForN (Just t) sched lo hi $ \a b -> do
            atomicModifyIORef' chunks (\c -> (c + 1, ()))
            forM_ [a .. b - 1] $ \i -> VSM.modify v (+ 1) i
        res <- VS.freeze v
        VS.toList (VS.slice lo (hi - lo) res) `shouldSatisfy` all (== 1)
        (VS.sum res) `shouldBe` (hi - lo)
        c <- readIORef chunks
        c `shouldSatisfy` (\k -> k >= 1 && k <= hi - lo)
        case sched of
          Static -> c `shouldSatisfy` (<= t)
          Dynamic k -> c `shouldBe` ((hi - lo + k - 1) `div` k)
          _ -> pure ()
  it "parallelRegion runs the body once per thread with its number" $
    forM_ teamSizes $ \t -> do
      seen <- newIORef []
      parallelRegion (Just t) $ \tid n -> atomicModifyIORef' seen (\s -> ((tid, n) : s, ()))
      sort <$> readIORef seen `shouldReturn` [(i, t) | i <- [0 .. t - 1]]
  it "team sizes are Maybe Int: Nothing is the default team, Just n has n threads, Just 0 and below are refused before anything runs" $ do
    sizes <- newIORef []
    def <- maxThreads
    let record = numThreads >>= \n -> atomicModifyIORef' sizes (\s -> (n : s, ()))
    parallelForN Nothing Static 0 1 (\_ _ -> record)
    parallelForN (Just 3) Static 0 1 (\_ _ -> record)
    parallelRegion Nothing (\t _ -> when (t == 0) record)
    parallelRegion (Just 3) (\t _ -> when (t == 0) record)
    reverse <$> readIORef sizes `shouldReturn` [def, 3, def, 3]
    ran <- newIORef (0 :: Int)
    let refused = \(ErrorCall m) -> "a team has at least 1 thread (Nothing: the default size)" `isInfixOf` m
    forM_ [0, -1, minBound] $ \n -> do
      parallelForN (Just n) Static 0 10 (\_ _ -> modifyIORef' ran (+ 1)) `shouldThrow` refused
      parallelForN (Just n) Static 0 0 (\_ _ -> modifyIORef' ran (+ 1)) `shouldThrow` refused
      parallelRegion (Just n) (\_ _ -> modifyIORef' ran (+ 1)) `shouldThrow` refused
    readIORef ran `shouldReturn` 0
    teamSizeArg (Just maxBound) `shouldReturn` fromIntegral (maxBound :: CInt)
  it "an exception in a chunk is re-thrown in the caller after the loop" $ do
    done <- newIORef (0 :: Int)
    parallelForN (Just 2) (Dynamic 10) 0 100 (\a b -> do
        when (a == 50) $ throwIO (userError "chunk 50")
        atomicModifyIORef' done (\c -> (c + (b - a), ())))
      `shouldThrow` (\(e :: IOException) -> "chunk 50" `isInfixOf` show e)
    readIORef done `shouldReturn` 90
  where
    chunksOf3 (a : b : c : r) = (a, b, c) : chunksOf3 r
    chunksOf3 _ = []

------------------------------------------------------------------------------
primSpec :: Spec
primSpec = describe "Cmm primitives" $ do
  it "currentCapabilityPrim is the Capability the thread runs on" $ do
    caps <- getNumCapabilities
    forM_ [0 .. caps - 1] $ \c -> do
      v <- newEmptyMVar
      _ <- forkOn c $ do
        a <- currentCapabilityPrim
        (b, _) <- threadCapability =<< myThreadId
        putMVar v (a, b)
      (a, b) <- takeMVar v
      a `shouldBe` c
      b `shouldBe` c
  it "threadNumPrim is 0 outside regions and the team number inside" $ do
    threadNumPrim `shouldReturn` 0
    forM_ teamSizes $ \t -> replicateM_ 3 $ do
      seen <- newIORef []
      parallelRegion (Just t) $ \tid _ -> do
        a <- threadNumPrim
        b <- threadNumPrim -- the cached path
        c <- threadNum
        atomicModifyIORef' seen (\s -> ((tid, a, b, c) : s, ()))
      rows <- readIORef seen
      forM_ rows $ \(tid, a, b, c) -> do
        a `shouldBe` tid
        b `shouldBe` tid
        c `shouldBe` tid
    threadNumPrim `shouldReturn` 0
  it "a worker's Haskell body runs on the worker's own Capability" $ do
    seen <- newIORef []
    parallelRegion (Just 2) $ \tid _ -> do
      c <- currentCapabilityPrim
      w <- boundCapability
      atomicModifyIORef' seen (\s -> ((tid, c, w) : s, ()))
    rows <- readIORef seen
    forM_ rows $ \(tid, c, w) -> when (tid > 0) $ Just c `shouldBe` w
  it "the team's threads enter Haskell on distinct Capabilities (team size <= Capabilities)" $ do
    caps <- getNumCapabilities
    forM_ [2 .. caps] $ \t -> replicateM_ 3 $ do
      seen <- newIORef []
      parallelRegion (Just t) $ \tid _ -> do
        c <- currentCapabilityPrim
        atomicModifyIORef' seen (\s -> ((tid, c) : s, ()))
      rows <- sort <$> readIORef seen
      map fst rows `shouldBe` [0 .. t - 1]
      -- were two on one Capability, their Haskell bodies would take turns
      length (nub (map snd rows)) `shouldBe` t

------------------------------------------------------------------------------
batchSpec :: Spec
batchSpec = describe "batched safe calls" $ do
  it "call the function exactly n times" $
    alloca $ \(p :: Ptr CLong) -> forM_ [0, 1, 2, 5, 10, 100, 1000] $ \n -> do
      poke p 0
      batchRepeat p_incr p n
      peek p `shouldReturn` fromIntegral n
  it "call in order, over an argument list and over (function, argument) pairs" $ do
    vals <- mallocArray 50 :: IO (Ptr CLong)
    pokeArray vals [1 .. 50]
    _ <- allocaArray 4096 (\o -> c_log_take o 4096)
    batchMap p_log_value [vals `plusPtr` (8 * i) | i <- [0 .. 49]]
    allocaArray 4096 (\o -> c_log_take o 4096 >>= \k -> peekArray (fromIntegral k) o)
      `shouldReturn` [1 .. 50]
    alloca $ \(c :: Ptr CLong) -> do
      poke c 0
      batchCalls (concat [[(p_log_value, vals `plusPtr` (8 * i)), (p_incr, c)] | i <- [0 .. 9]])
      peek c `shouldReturn` 10
      allocaArray 4096 (\o -> c_log_take o 4096 >>= \k -> peekArray (fromIntegral k) o)
        `shouldReturn` [1 .. 10]
    free vals
  it "releasedCall returns the C result" $
    withArray [5, 1, 2, 3, 4, 100 :: CLong] $ \p ->
      releasedCall p_sum_array p `shouldReturn` 110
  it "stay correct while other threads allocate and GC runs" $ do
    counter <- malloc :: IO (Ptr CLong)
    poke counter 0
    let workers = 4; batches = 40; size = 50
    -- each worker keeps live heap data across its batches and checks it
    ((), gcs) <- within 120 $ underGcStorm $ do
      dones <- forM [1 .. workers] $ \w -> do
        d <- newEmptyMVar
        _ <- forkIO $ (`finally` putMVar d ()) $ do
          let live = [w * 1000 .. w * 1000 + 999 :: Int]
          forM_ [1 .. batches :: Int] $ \_ -> do
            batchRepeat p_slow_incr counter size
            s <- evaluate (sum live)
            when (s /= sum [w * 1000 .. w * 1000 + 999]) $ error "heap data changed"
        pure d
      mapM_ takeMVar dones
    peek counter `shouldReturn` fromIntegral (workers * batches * size)
    gcs `shouldSatisfy` (> 0)
    free counter
  it "may run OpenMP regions and call back into Haskell inside the batch" $ do
    alloca $ \(c :: Ptr CLong) -> do
      poke c 0
      batchRepeat p_region_incr c 20
      peek c `shouldReturn` 40
    hits <- newIORef (0 :: Int)
    fp <- newWrapperCallback (\(_ :: Ptr ()) -> atomicModifyIORef' hits (\h -> (h + 1, ())))
    batchRepeat fp nullPtr 25 `finally` freeHaskellFunPtr fp
    readIORef hits `shouldReturn` 25
  it "let other Haskell threads run while the batch runs" $ do
    ran <- newIORef False
    alloca $ \(c :: Ptr CLong) -> do
      _ <- forkIO (writeIORef ran True)
      poke c 0
      batchRepeat p_slow_incr c 2000 -- 40 ms with the Capability released
    readIORef ran `shouldReturn` True

------------------------------------------------------------------------------
foreign import ccall unsafe "k_blas_open" c_blas_open :: CString -> CString -> CString -> CInt -> IO CInt
foreign import ccall safe "k_blas_dgemm" c_blas_dgemm :: CInt -> CInt -> Ptr CDouble -> Ptr CDouble -> Ptr CDouble -> IO ()
foreign import ccall unsafe "hsomp_fill_matrices" c_fill :: CInt -> Ptr CDouble -> Ptr CDouble -> IO ()

blasDir :: FilePath
blasDir = "/usr/lib/x86_64-linux-gnu/openblas-openmp"

blasSpec :: Spec
blasSpec = describe "Debian's OpenBLAS-openmp (built against libgomp)" $
  it "runs DGEMM on hsomp with no libgomp mapped, same result as under libgomp" $ do
    have <- doesFileExist (blasDir ++ "/libopenblas.so.0")
    unless have $ pendingWith "libopenblas0-openmp is not installed"
    tmp <- getTemporaryDirectory
    let shim = tmp ++ "/hsomp-shim-libgomp.so.1"
        ref = tmp ++ "/hsomp-dgemm-ref"
        out = tmp ++ "/hsomp-dgemm-ref.bin"
        n = 300 :: Int
        threads = 2 :: Int
    gcc ["-shared", "-fPIC", "-o", shim, "-Wl,-soname,libgomp.so.1",
         "-Wl,--version-script=test/shim/gomp-shim.map", "test/shim/gomp-shim.c"]
    gcc ["-O2", "-o", ref, "test/shim/dgemm_ref.c", "test/shim/fill.c",
         "-L" ++ blasDir, "-Wl,-rpath," ++ blasDir, "-lopenblas", "-lm"]
    -- the libgomp reference
    (code, sout, serr) <- readProcessWithExitCode ref [show threads, show n, out] ""
    code `shouldBe` ExitSuccess
    unless (null serr) $ putStr serr
    lines sout `shouldBe` ["libgomp-mapped"]
    refC <- VS.fromList . map realToFrac <$> readDoubles out (n * n)
    removeFile out
    -- the same DGEMM here, on hsomp
    err <- withCString shim $ \cs -> withCString (blasDir ++ "/libopenblas.so.0") $ \cb ->
      allocaBytes 1024 $ \e -> do
        rc <- c_blas_open cs cb e 1024
        if rc == 0 then pure Nothing else Just <$> peekCString e
    err `shouldBe` Nothing
    a <- VSM.new (n * n)
    b <- VSM.new (n * n)
    c <- VSM.new (n * n)
    VSM.unsafeWith a $ \pa -> VSM.unsafeWith b $ \pb -> c_fill (fromIntegral n) pa pb
    ((), t) <- timeNs $ VSM.unsafeWith a $ \pa -> VSM.unsafeWith b $ \pb -> VSM.unsafeWith c $ \pc ->
      c_blas_dgemm (fromIntegral threads) (fromIntegral n) pa pb pc
    res <- VS.freeze c
    maps <- readFile "/proc/self/maps"
    let gompLines = filter ("libgomp" `isInfixOf`) (lines maps)
    all ("hsomp-shim" `isInfixOf`) gompLines `shouldBe` True
    obj <- symbolObject "GOMP_parallel"
    exe <- symbolObject "main"
    obj `shouldBe` exe
    -- a Haskell reference for the product as well
    av <- VS.freeze a
    bv <- VS.freeze b
    let hs i j = sum [av VS.! (i * n + k) * bv VS.! (k * n + j) | k <- [0 .. n - 1]]
        maxRef = maximum [abs (hs i j - res VS.! (i * n + j)) | i <- [0, 17 .. n - 1], j <- [0, 23 .. n - 1]]
        maxLib = VS.maximum (VS.zipWith (\x y -> abs (x - y)) res refC)
        bitwise = res == refC
    measure (printf "DGEMM %dx%d on %d hsomp threads: %.2f ms; max |diff| vs libgomp run %.3g (bitwise equal: %s), vs Haskell %.3g"
               n n threads (t / 1e6) (realToFrac maxLib :: Double) (show bitwise) (realToFrac maxRef :: Double))
    maxLib `shouldSatisfy` (< 1e-10)
    maxRef `shouldSatisfy` (< 1e-9)
  where
    gcc args = do
      (code, _, err) <- readProcessWithExitCode "gcc" args ""
      unless (code == ExitSuccess) $ expectationFailure ("gcc " ++ unwords args ++ ":\n" ++ err)
    readDoubles path k = allocaArray k $ \(p :: Ptr CDouble) -> do
      bytes <- readBinary path (8 * k) (castPtr p)
      bytes `shouldBe` 8 * k
      peekArray k p

foreign import ccall unsafe "k_read_file" c_read_file :: CString -> Ptr () -> CLong -> IO CLong

readBinary :: FilePath -> Int -> Ptr () -> IO Int
readBinary path len p = withCString path $ \cp -> fromIntegral <$> c_read_file cp p (fromIntegral len)

------------------------------------------------------------------------------
-- | The measurements of the README's tables, with small counts (the
-- benchmark prints them with large ones), and what must hold of them on
-- any machine however loaded.
measureSpec :: Spec
measureSpec = describe "measurements (bench/Bench.hs prints them in full)" $ do
  it "calling conventions: prim and unsafe calls cost less than a safe call" $ do
    cc <- callCosts 100000
    measure (printf "ns/call incl. loop: empty loop %.2f, prim currentCapabilityPrim %.2f, prim threadNumPrim %.2f, unsafe %.2f, safe %.1f"
               (ccLoop cc) (ccPrim cc) (ccPrimOmp cc) (ccUnsafe cc) (ccSafe cc))
    ccPrim cc `shouldSatisfy` (< ccSafe cc)
    ccPrimOmp cc `shouldSatisfy` (< ccSafe cc)
    ccUnsafe cc `shouldSatisfy` (< ccSafe cc)
  it "batched safe calls: one Capability release per batch, fitted as (a + b N)/N" $ do
    rows <- batchTable 20000
    forM_ rows $ \r -> measure (printf "batch %3d: standard safe %6.1f ns/call, batched %6.2f ns/call"
                                  (brSize r) (brSafePerCall r) (brBatchedPerCall r))
    let (a, b) = fitBatch rows
        big = last rows
    measure (printf "fit: a = %.1f ns per batch, b = %.2f ns per call; at N = 100 %.2f ns/call" a b (a / 100 + b))
    brSize big `shouldBe` 100
    -- the release is paid once per batch, not once per call
    brBatchedPerCall big `shouldSatisfy` (< brSafePerCall big / 4)
    a `shouldSatisfy` (> b)
  it "callbacks: every entry runs once (ns per entry measured)" $ do
    cb <- callbackCosts 20000
    measure (printf "ns/entry: HsOmp entry %.0f, in a session %.0f, \"wrapper\" FunPtr %.0f, from a team of 2 %.0f, parallelFor chunk %.0f (C body %.0f)"
               (cbEntry cb) (cbSession cb) (cbWrapper cb) (cbWorkers cb) (cbChunk cb) (cbChunkC cb))
    cbCounted cb `shouldBe` True
  it "crossover: OpenMP through a safe call loses on tiny inputs; results equal the sequential C" $ do
    dots <- crossoverDot 3 [256, 4096, 65536, 1048576]
    sins <- crossoverSin 3 [16, 256, 4096, 65536, 262144]
    let show1 name rs = measure (printf "%s: %s; crossover %s" (name :: String)
                          (unwords [printf "n=%d %.2fx" (crN r) (crOmpSafe r / crSeqUnsafe r) | r <- rs] :: String)
                          (maybe "none in range" show (crossoverAt rs)))
    show1 "dot OpenMP/sequential" dots
    show1 "sin-sum OpenMP/sequential" sins
    -- a region costs microseconds; 16 sines cost a fraction of one
    let tiny = head sins
    crOmpSafe tiny `shouldSatisfy` (> crSeqUnsafe tiny)
    maybe True (> 16) (crossoverAt sins) `shouldBe` True
  it "GHC-native parallelism (forkIO) and OpenMP compute the same sin-sum" $ do
    caps <- getNumCapabilities
    rows <- nativeVsOpenMP 2 caps 1000000
    forM_ rows $ \r -> measure (printf "%-32s %7.2f ms  %.9f" (nrName r) (nrNs r / 1e6) (nrResult r))
    let ref = nrResult (head rows)
    forM_ rows $ \r -> abs (nrResult r - ref) `shouldSatisfy` (< 1e-9 * abs ref)
