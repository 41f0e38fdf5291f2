{-# LANGUAGE CPP #-}
-- | The five workloads of the composition benchmark: a Haskell program that
-- uses OpenMP C code (cbits/compose.c) the way a user's program would, with
-- nothing but base, parallel and safe foreign calls, so that the same
-- source runs linked to hsomp (through the package) or to libgomp/libomp.
--
-- Each workload does a fixed amount of work and returns its wall time in
-- milliseconds, after checking its results (a wrong result exits 1).
module ComposeWork (scenarios, runScenario, workUnits) where

import Control.Concurrent
import Control.Exception (evaluate)
import Control.Monad
import Control.Parallel (par, pseq)
import Control.Parallel.Strategies (parMap, rseq)
import Data.IORef
import Data.List (foldl')
import Foreign
import Foreign.C.Types
import GHC.Clock (getMonotonicTimeNSec)
import System.Exit (exitWith, ExitCode (..))
import System.IO (hPutStrLn, stderr)
import System.IO.Unsafe (unsafePerformIO)
import System.Mem (performGC)
#ifdef HSOMP_CALLBACK_API
import HsOmp.Callback (callbackEntry, callbackEnv, withCallback)
#endif

foreign import ccall safe "compose_sum"
  c_sum :: Ptr CDouble -> CLong -> CInt -> IO CDouble
foreign import ccall safe "compose_work"
  c_work :: CLong -> CInt -> IO CDouble
foreign import ccall safe "compose_region_cb"
  c_region_cb :: FunPtr (CLong -> IO ()) -> Ptr CDouble -> CLong -> CInt -> IO CDouble
foreign import ccall safe "compose_callbacks"
  c_callbacks :: FunPtr (CLong -> IO ()) -> CLong -> CInt -> IO ()
foreign import ccall "wrapper"
  mkCallback :: (CLong -> IO ()) -> IO (FunPtr (CLong -> IO ()))
foreign import ccall safe "compose_callbacks_env"
  c_callbacks_env :: FunPtr (Ptr () -> Ptr () -> IO ()) -> Ptr () -> CLong -> CInt -> IO ()
#ifndef HSOMP_CALLBACK_API
foreign import ccall "wrapper"
  mkEnvCallback :: (Ptr () -> Ptr () -> IO ()) -> IO (FunPtr (Ptr () -> Ptr () -> IO ()))
#endif

-- | (name, what one unit of work is) in the order of the table.
scenarios :: [(String, String)]
scenarios =
  [ ("gcstorm", "safe calls/s")
  , ("hswork", "runs/s")
  , ("threads50", "regions/s")
  , ("callbacks", "callbacks/s")
  , ("nested", "elements/s")
  , ("returns", "calls/s")
  , ("callbacks-api", "callbacks/s")
  ]

-- | Units of work one run of the scenario does (for throughput).
workUnits :: String -> Double
workUnits s = case s of
  "gcstorm" -> 4 * 300
  "hswork" -> 1
  "threads50" -> 50 * 20
  "callbacks" -> fromIntegral callbackIters
  "callbacks-api" -> fromIntegral callbackIters
  "nested" -> fromIntegral nestedElems
  "returns" -> fromIntegral returnCalls
  _ -> 1

callbackIters, nestedElems, returnCalls :: Int
callbackIters = 200000
nestedElems = 2048
returnCalls = 50

timed :: IO () -> IO Double
timed act = do
  t0 <- getMonotonicTimeNSec
  act
  t1 <- getMonotonicTimeNSec
  pure (fromIntegral (t1 - t0) / 1e6)

check :: String -> Bool -> IO ()
check what ok = unless ok $ do
  hPutStrLn stderr ("compose: wrong result in " ++ what)
  exitWith (ExitFailure 1)

inputN :: Int
inputN = 20000

inputList :: [Double]
inputList = [fromIntegral (i `mod` 7) | i <- [0 .. inputN - 1]]

inputSum :: Double
inputSum = sum inputList

-- | Run one scenario once; its wall time in ms.
runScenario :: String -> IO Double
runScenario name = case name of
  "gcstorm" -> gcStorm
  "hswork" -> hsWork
  "threads50" -> threads50
  "callbacks" -> callbacks
  "nested" -> nested
  "returns" -> returns
  "callbacks-api" -> callbacksApi
  _ -> do
    hPutStrLn stderr ("compose: unknown scenario " ++ name)
    exitWith (ExitFailure 2)

-- (a) 4 Haskell threads x 300 safe calls of a 2-thread reduction over
-- 20,000 doubles handed over with withArray, allocating between calls and
-- forcing a GC every 50 calls.
gcStorm :: IO Double
gcStorm = do
  _ <- evaluate (length inputList)
  timed $ do
    dones <- forM [1 .. 4 :: Int] $ \t -> do
      done <- newEmptyMVar
      _ <- forkIO $ do
        let go :: Int -> Int -> IO Int
            go k bad
              | k > 300 = pure bad
              | otherwise = do
                  s <- withArray (map realToFrac inputList) $ \p ->
                         c_sum p (fromIntegral inputN) 2
                  junk <- evaluate (length (show [k * t .. k * t + 200]))
                  when (k `mod` 50 == 0) performGC
                  go (k + 1) (if realToFrac s == inputSum && junk > 0 then bad else bad + 1)
        go 1 0 >>= putMVar done
      pure done
    bad <- sum <$> mapM takeMVar dones
    check "gcstorm" (bad == 0)

-- (b) Haskell work on every Capability (forkOn) and sparks (par/pseq)
-- while a Haskell thread runs OpenMP regions.
hsWork :: IO Double
hsWork = do
  n <- getNumCapabilities
  timed $ do
    omp <- newEmptyMVar
    _ <- forkIO $ do
      s <- foldM (\acc _ -> (acc +) <$> c_work 100000 2) 0 [1 .. 60 :: Int]
      putMVar omp s
    hs <- forM [0 .. n - 1] $ \c -> do
      v <- newEmptyMVar
      _ <- forkOn c (evaluate (allocSum 1500000) >>= putMVar v)
      pure v
    f <- evaluate (parFib 24)
    rs <- mapM takeMVar hs
    s <- takeMVar omp
    check "hswork" (f == 46368 && all (== allocSum 1500000) rs && s /= 0)

allocSum :: Int -> Double
allocSum m = foldl' (+) 0 [fromIntegral (i `mod` 13) * 0.5 | i <- [1 .. m]]
{-# NOINLINE allocSum #-}

parFib :: Int -> Int
parFib k
  | k < 15 = fib k
  | otherwise = let a = parFib (k - 1); b = parFib (k - 2) in a `par` (b `pseq` a + b)
  where
    fib :: Int -> Int
    fib j = if j < 2 then j else fib (j - 1) + fib (j - 2)

-- (c) 50 Haskell threads, each starting 20 regions of 2 threads whose
-- every thread calls back into Haskell once.
threads50 :: IO Double
threads50 =
  withArray (map realToFrac inputList) $ \p -> do
    counter <- newIORef (0 :: Int)
    cb <- mkCallback (\_ -> atomicModifyIORef' counter (\c -> (c + 1, ())))
    t <- timed $ do
      dones <- forM [1 .. 50 :: Int] $ \_ -> do
        done <- newEmptyMVar
        _ <- forkIO $ do
          ok <- foldM (\ok _ -> do
                         s <- c_region_cb cb p (fromIntegral inputN) 2
                         pure (ok && realToFrac s == inputSum)) True [1 .. 20 :: Int]
          putMVar done ok
        pure done
      oks <- mapM takeMVar dones
      c <- readIORef counter
      check "threads50" (and oks && c == 50 * 20 * 2)
    freeHaskellFunPtr cb
    pure t

-- (d) One region of 2 threads whose every iteration (200,000, dynamic 64)
-- calls a Haskell FunPtr: all team threads enter Haskell at once.
callbacks :: IO Double
callbacks = do
  hits <- newIORef (0 :: Int)
  cb <- mkCallback (\i -> when (i `mod` 1024 == 0) (atomicModifyIORef' hits (\c -> (c + 1, ()))))
  t <- timed (c_callbacks cb (fromIntegral callbackIters) 2)
  freeHaskellFunPtr cb
  h <- readIORef hits
  check "callbacks" (h == (callbackIters + 1023) `div` 1024)
  pure t

-- (d') The same callbacks made the way the hsomp package offers (an
-- HsOmp.Callback: C calls entry(env, i)); built without the package (the
-- peers), the same loop calls a "wrapper" FunPtr of that type.
callbacksApi :: IO Double
callbacksApi = do
  hits <- newIORef (0 :: Int)
  let body :: Ptr () -> IO ()
      body p = when (ptrToIntPtr p `mod` 1024 == 0) (atomicModifyIORef' hits (\c -> (c + 1, ())))
      iters = fromIntegral callbackIters
#ifdef HSOMP_CALLBACK_API
  t <- withCallback body $ \cb ->
    timed (c_callbacks_env (castFunPtr (callbackEntry cb)) (callbackEnv cb) iters 2)
#else
  cb <- mkEnvCallback (\_ p -> body p)
  t <- timed (c_callbacks_env cb nullPtr iters 2)
  freeHaskellFunPtr cb
#endif
  h <- readIORef hits
  check "callbacks-api" (h == (callbackIters + 1023) `div` 1024)
  pure t

-- (e) A parallel Haskell map (sparks, parMap) whose every element calls
-- the 2-thread OpenMP reduction: OpenMP regions nested in Haskell
-- parallelism.
nested :: IO Double
nested = do
  fp <- mallocForeignPtrArray inputN
  withForeignPtr fp $ \p -> pokeArray p (map realToFrac inputList)
  timed $ do
    let element :: Int -> Double
        element i = unsafePerformIO $ withForeignPtr fp $ \p -> do
          s <- c_sum p (fromIntegral inputN) 2
          pure (realToFrac s + fromIntegral i)
        {-# NOINLINE element #-}
        rs = parMap rseq element [1 .. nestedElems]
    total <- evaluate (sum rs)
    check "nested" (total == fromIntegral nestedElems * inputSum
                             + fromIntegral (nestedElems * (nestedElems + 1) `div` 2))

-- (f) Safe calls that return to a busy Capability: a Haskell thread doing
-- numeric work on every Capability (forkOn) runs the whole time while the main
-- thread makes 50 safe calls of a short 2-thread region (20,000 sin*cos);
-- each call, when its region ends, needs its Capability back from the
-- Haskell thread running there.
returns :: IO Double
returns = do
  n <- getNumCapabilities
  stop <- newIORef False
  busy <- forM [0 .. n - 1] $ \c -> do
    v <- newEmptyMVar
    _ <- forkOn c (computeUntil stop 0 >>= putMVar v)
    pure v
  threadDelay 2000
  t <- timed $ do
    s <- foldM (\acc _ -> (acc +) <$> c_work 20000 2) 0 [1 .. returnCalls]
    check "returns" (s /= 0)
  writeIORef stop True
  ks <- mapM takeMVar busy
  check "returns" (all (> 0) ks)
  pure t

-- | Numeric Haskell work (allocSum's loop allocates nothing, so no GC
-- interrupts it; it yields at its -fno-omit-yields checks) until told to
-- stop.
computeUntil :: IORef Bool -> Int -> IO Int
computeUntil stop k = do
  done <- readIORef stop
  if done
    then pure k
    else do
      _ <- evaluate (allocSum 20000)
      computeUntil stop (k + 1)
