{-# LANGUAGE BangPatterns #-}
-- | The measurements behind the package's tables, shared by the test-suite
-- (small counts, with assertions on what must hold on any machine) and the
-- benchmark (larger counts, printed as the README's tables).  Every figure
-- is the best of several runs: on a shared machine the minimum is the one
-- least disturbed by other load.
module Measure
  ( -- * Calling conventions
    CallCosts (..)
  , callCosts
  , BatchRow (..)
  , batchTable
  , batchSizes
  , fitBatch
    -- * Callbacks
  , CallbackCosts (..)
  , callbackCosts
    -- * Crossover
  , CrossRow (..)
  , crossoverDot
  , crossoverSin
  , crossoverAt
    -- * GHC-native parallelism against OpenMP
  , NativeRow (..)
  , nativeVsOpenMP
  , sinSumHaskell
    -- * GC storms
  , underGcStorm
  , stormRepeat
  , withGcStorm
  , allocateSome
  , regionLatencies
  ) where

import Control.Concurrent
import Control.Exception (evaluate, finally)
import Control.Monad
import Data.IORef
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.C.Types
import Foreign.Marshal.Array (allocaArray, pokeArray)
import Foreign.Ptr
import Foreign.Storable
import System.Mem (performGC)

import HsOmp
import HsOmp.Batch
import HsOmp.Callback (newWrapperCallback)
import HsOmp.Prim
import Kernels
import Stats

------------------------------------------------------------------------------
-- | Nanoseconds per call of each calling convention, for a C function that
-- does nothing (the Cmm primitive reads the Capability number).
data CallCosts = CallCosts
  { ccLoop :: !Double     -- ^ the measuring loop with an empty action (included in the others)
  , ccPrim :: !Double     -- ^ @foreign import prim@ (currentCapabilityPrim)
  , ccPrimOmp :: !Double  -- ^ @foreign import prim@ (threadNumPrim, cached path)
  , ccUnsafe :: !Double   -- ^ @foreign import ccall unsafe@
  , ccSafe :: !Double     -- ^ @foreign import ccall safe@
  }

-- | Measure 'CallCosts' over n calls each (best of 7).  Each figure
-- includes the measuring loop's own cost ('ccLoop': an unknown IO action
-- called per iteration).
callCosts :: Int -> IO CallCosts
callCosts n = runInBoundThread $ do
  loop <- perCallNs n (pure ())
  prim <- perCallNs n (void currentCapabilityPrim)
  primOmp <- perCallNs n (void threadNumPrim)
  uns <- perCallNs n (c_noop_unsafe nullPtr)
  safe <- perCallNs n (c_noop_safe nullPtr)
  pure (CallCosts loop prim primOmp uns safe)

-- | One row of the batched-call table: batch size, nanoseconds per call of
-- standard safe calls, of one batched safe call of that size (per C call),
-- and of the whole batch.
data BatchRow = BatchRow
  { brSize :: !Int
  , brSafePerCall :: !Double
  , brBatchedPerCall :: !Double
  , brBatchNs :: !Double
  }

-- | The batch sizes of the table.
batchSizes :: [Int]
batchSizes = [1, 2, 5, 10, 20, 50, 100]

-- | Time batches of each size over about @calls@ C calls each (best of 7).
batchTable :: Int -> IO [BatchRow]
batchTable calls = runInBoundThread $ allocaArray (maximum batchSizes) $ \arr -> do
  pokeArray arr (replicate (maximum batchSizes) nullPtr)
  forM batchSizes $ \n -> do
    let reps = max 1 (calls `div` n)
    safe <- perCallNs reps (replicateM_ n (c_noop_safe nullPtr))
    batched <- perCallNs reps (batchMapArray p_noop arr n)
    pure (BatchRow n (safe / fromIntegral n) (batched / fromIntegral n) batched)

-- | Least-squares fit of batch time = a + b·N (ns): a is the price of the
-- Capability release and re-acquisition, b the price of one C call.
fitBatch :: [BatchRow] -> (Double, Double)
fitBatch rows = fitLine [(fromIntegral (brSize r), brBatchNs r) | r <- rows]

------------------------------------------------------------------------------
-- | Nanoseconds per entry into Haskell from C.
data CallbackCosts = CallbackCosts
  { cbEntry :: !Double         -- ^ 'HsOmp.Callback' entry, called from a C loop on the caller's thread
  , cbSession :: !Double       -- ^ the same loop in one session (hs_callback.h): Capability kept between entries
  , cbWrapper :: !Double       -- ^ a @\"wrapper\"@ 'FunPtr', same loop
  , cbWorkers :: !Double       -- ^ entry from every thread of a team of 2 (wall time per callback per thread)
  , cbChunk :: !Double         -- ^ 'parallelFor' on 1 thread, per chunk of 1
  , cbChunkC :: !Double        -- ^ the same loop with a C body (the work-share cost alone)
  , cbCounted :: !Bool         -- ^ every callback and chunk ran exactly once
  }

-- | Measure 'CallbackCosts' over n entries each (best of 5).
callbackCosts :: Int -> IO CallbackCosts
callbackCosts n = runInBoundThread $ do
  cell <- VSM.replicate 4 (0 :: CLong)
  let body p = do
        let q = castPtr p :: Ptr CLong
        c <- peek q
        poke q (c + 1)
      per f = minimum <$> replicateM 5 (snd <$> timeNs f)
  (entry, session) <- withCallback body $ \cb -> VSM.unsafeWith cell $ \p -> do
    e <- per (c_call_n (castFunPtr (callbackEntry cb)) (callbackEnv cb) (fromIntegral n) (castPtr p))
    s <- per (c_call_n_session (callbackEnv cb) (fromIntegral n) (castPtr p))
    pure (e, s)
  fp <- newWrapperCallback body
  wrapper <- VSM.unsafeWith cell $ \p -> per (c_call_fp_n fp (fromIntegral n) (castPtr p))
  freeHaskellFunPtr fp
  -- the team's threads count in their own slots {thread, calls, value}
  let slotBody p = do
        let q = castPtr p :: Ptr CLong
        c <- peekElemOff q 1
        pokeElemOff q 1 (c + 1)
  (workers, workerCalls) <- allocaArray (3 * 2) $ \slots -> do
    pokeArray slots (replicate 6 0)
    t <- withCallback slotBody $ \cb ->
      per (c_callbacks 2 (castFunPtr (callbackEntry cb)) (callbackEnv cb)
             (fromIntegral n) slots)
    calls <- mapM (peekElemOff slots) [1, 4]
    pure (t, calls)
  chunks <- newIORef (0 :: Int)
  chunk <- per (parallelForN (Just 1) (Dynamic 1) 0 n (\_ _ -> modifyIORef' chunks (+ 1)))
  out <- VSM.replicate n (0 :: CLong)
  chunkC <- VSM.unsafeWith out $ \p ->
    per (c_parallel_for_c p_square_into p 0 (fromIntegral n) 1 1 1)
  cellCount <- VSM.read cell 0
  chunkCount <- readIORef chunks
  let k = fromIntegral n
      counted = cellCount == fromIntegral (15 * n) && chunkCount == 5 * n && workerCalls == [5 * n', 5 * n']
      n' = fromIntegral n :: CLong
  pure (CallbackCosts (entry / k) (session / k) (wrapper / k) (workers / k) (chunk / k) (chunkC / k) counted)

------------------------------------------------------------------------------
-- | One size of a crossover table: n, sequential C through an unsafe call,
-- OpenMP C (2 threads) through a safe call, in nanoseconds.
data CrossRow = CrossRow { crN :: !Int, crSeqUnsafe :: !Double, crOmpSafe :: !Double }

-- | Dot product of n doubles (memory-bound, a few ns per element).
crossoverDot :: Int -> [Int] -> IO [CrossRow]
crossoverDot reps sizes = withNumThreads 2 $ forM sizes $ \n -> do
  let xs = VS.generate n (\i -> fromIntegral (i `mod` 13)) :: VS.Vector CDouble
      ys = VS.generate n (\i -> fromIntegral (i `mod` 7)) :: VS.Vector CDouble
  VS.unsafeWith xs $ \px -> VS.unsafeWith ys $ \py -> do
    let k = fromIntegral n
    s <- bestOf reps (snd <$> timeNs (c_dot_seq px py k >>= evaluate))
    p <- bestOf reps (snd <$> timeNs (c_dot px py k >>= evaluate))
    -- integer-valued terms: both sums are exact
    rs <- c_dot_seq px py k
    rp <- c_dot px py k
    when (rs /= rp) $ ioError (userError ("dot: OpenMP " ++ show rp ++ " /= sequential " ++ show rs))
    pure (CrossRow n s p)

-- | Sum of n sines (compute-bound, tens of ns per element).
crossoverSin :: Int -> [Int] -> IO [CrossRow]
crossoverSin reps sizes = withNumThreads 2 $ forM sizes $ \n -> do
  let k = fromIntegral n
  s <- bestOf reps (snd <$> timeNs (c_sin_sum_seq k >>= evaluate))
  p <- bestOf reps (snd <$> timeNs (c_sin_sum k >>= evaluate))
  rs <- c_sin_sum_seq k
  rp <- c_sin_sum k
  when (abs (rs - rp) > 1e-9 * max 1 (abs rs)) $
    ioError (userError ("sin-sum: OpenMP " ++ show rp ++ " /= sequential " ++ show rs))
  pure (CrossRow n s p)

-- | The smallest size from which OpenMP stays faster, if any.
crossoverAt :: [CrossRow] -> Maybe Int
crossoverAt rows = case dropWhile (\r -> crOmpSafe r < crSeqUnsafe r) (reverse rows) of
  _ | null rows || crOmpSafe (last rows) >= crSeqUnsafe (last rows) -> Nothing
  [] -> Just (crN (head rows))
  (r : _) -> case dropWhile ((/= crN r) . crN) rows of
    (_ : next : _) -> Just (crN next)
    _ -> Nothing

------------------------------------------------------------------------------
-- | One way to compute the sin-sum of m terms: its name, nanoseconds, result.
data NativeRow = NativeRow { nrName :: String, nrNs :: !Double, nrResult :: !Double }

-- | sum of sin(i * 0.001) for lo <= i < hi, in Haskell (a strict loop).
sinSumHaskell :: Int -> Int -> Double
sinSumHaskell lo hi = go lo 0
  where
    go !i !acc
      | i >= hi = acc
      | otherwise = go (i + 1) (acc + sin (fromIntegral i * 0.001))

-- | The sin-sum of m terms computed: in Haskell on one thread and split
-- over @caps@ forkIO threads; in C on one thread (unsafe call), split over
-- forkIO threads each calling C (unsafe), and as an OpenMP loop of @caps@
-- threads (safe call).  Best of reps.
nativeVsOpenMP :: Int -> Int -> Int -> IO [NativeRow]
nativeVsOpenMP reps caps m = do
  let split = [(m * k `div` caps, m * (k + 1) `div` caps) | k <- [0 .. caps - 1]]
      forked :: (Int -> Int -> IO Double) -> IO Double
      forked f = do
        vs <- forM split $ \(lo, hi) -> do
          v <- newEmptyMVar
          _ <- forkIO (f lo hi >>= evaluate >>= putMVar v)
          pure v
        sum <$> mapM takeMVar vs
      -- the action gets m from an IORef, so that no run can share a
      -- result computed by an earlier one
      run name act = do
        r <- newIORef 0
        mref <- newIORef m
        t <- bestOf reps (snd <$> timeNs (readIORef mref >>= act >>= evaluate >>= writeIORef r))
        NativeRow name t <$> readIORef r
      cSeq :: Int -> Int -> IO Double
      cSeq lo hi = realToFrac <$> c_sin_sum_range (fromIntegral lo) (fromIntegral hi)
  sequence
    [ run "Haskell, 1 thread" (\k -> evaluate (sinSumHaskell 0 k))
    , run ("Haskell, forkIO x " ++ show caps) (\_ -> forked (\lo hi -> evaluate (sinSumHaskell lo hi)))
    , run "C (unsafe call), 1 thread" (cSeq 0)
    , run ("C (unsafe calls), forkIO x " ++ show caps) (\_ -> forked cSeq)
    , run ("OpenMP C (safe call), " ++ show caps ++ " threads")
        (\k -> withNumThreads caps (realToFrac <$> c_sin_sum (fromIntegral k)))
    ]

------------------------------------------------------------------------------
-- | Run an action while other Haskell threads allocate hard and force
-- collections; returns the action's result and the number of GCs forced.
--
-- The allocating loop builds a fresh list each round (it depends on the
-- round number, so GHC cannot float it out as a constant): a Haskell loop
-- that does not allocate never reaches a heap check, never yields, and
-- would hold up every GC (the test-suite is also built with
-- -fno-omit-yields for the same reason).
underGcStorm :: IO a -> IO (a, Int)
underGcStorm act = withGcStorm (const act)

-- | Repeat an action under a GC storm until the storm has forced at least
-- n collections; returns (rounds, GCs forced).
stormRepeat :: Int -> IO () -> IO (Int, Int)
stormRepeat n act = withGcStorm $ \gcsSoFar ->
  let go :: Int -> IO Int
      go k = do
        act
        g <- gcsSoFar
        if g >= n then pure k else go (k + 1)
  in go 1

-- | 'underGcStorm' giving the action a way to read the GCs forced so far.
withGcStorm :: (IO Int -> IO a) -> IO (a, Int)
withGcStorm act = do
  stop <- newIORef False
  gcs <- newIORef (0 :: Int)
  done1 <- newEmptyMVar
  done2 <- newEmptyMVar
  _ <- forkIO $ (`finally` putMVar done1 ()) $ fix $ \loop -> do
    s <- readIORef stop
    unless s $ do
      performGC
      modifyIORef' gcs (+ 1)
      threadDelay 500
      loop
  _ <- forkIO $ (`finally` putMVar done2 ()) $ let
      go :: Int -> IO ()
      go k = do
        s <- readIORef stop
        unless s $ do
          _ <- evaluate (allocateSome k)
          go (k + 1)
    in go 0
  r <- act (readIORef gcs) `finally` (writeIORef stop True >> takeMVar done1 >> takeMVar done2)
  n <- readIORef gcs
  pure (r, n)
  where fix f = let x = f x in x

-- | About a megabyte of short-lived heap data, different for every k.
allocateSome :: Int -> Int
allocateSome k = let xs = [k .. k + 20000] in sum (map (* 3) xs) + length (show xs)
{-# NOINLINE allocateSome #-}

-- | Latencies (ns) of @regions@ small regions (2 threads, a sum over n
-- terms), checking each result.
regionLatencies :: Int -> Int -> IO [Double]
regionLatencies regions n = forM [1 .. regions] $ \_ -> do
  (r, t) <- timeNs (c_small_region 2 (fromIntegral n))
  when (fromIntegral r /= n * (n - 1) `div` 2) $ ioError (userError "small region: wrong sum")
  pure t
