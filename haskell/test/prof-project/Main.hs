{-# LANGUAGE TemplateHaskell, QuasiQuotes, GHCForeignImportPrim #-}
{-# LANGUAGE MagicHash, UnboxedTuples, UnliftedFFITypes #-}
-- | hsomp in a profiled program (built with --enable-profiling, run with
-- +RTS -p by test/package-checks.sh).  Profiled heap objects have a larger
-- header, so a [cmm| |] quote that reads one is right only if the quoter
-- compiled it for the profiled way (Note [Cmm of a profiled module] in
-- hsomp-cmm): this program's own quote reads the TSO and a byte array,
-- HsOmp.Inline's batchApply saves the thread state into the TSO and its
-- stack, and the library's Cmm primitives, callbacks, parallel for and an
-- OpenMP C region run as in any program.  Prints one line per check and
-- exits 1 unless all are right.
module Main (main) where

import Control.Concurrent (forkIO, killThread, myThreadId)
import Control.Monad (forM, forever, replicateM_)
import Data.IORef
import Foreign.C.Types (CDouble (..), CIntPtr, CLong (..))
import Foreign.Marshal.Alloc (alloca)
import Foreign.Ptr (FunPtr, Ptr)
import Foreign.Storable (poke)
import GHC.Exts (Int (I#), newByteArray#, unsafeFreezeByteArray#)
import GHC.IO (IO (..))
import System.Exit (exitFailure)
import System.Mem (performGC)

import HsOmp
import HsOmp.Cmm (cmm)
import HsOmp.Inline (batchApply, currentCapabilityInline, threadNumInline)
import HsOmp.Prim (currentCapabilityPrim)

foreign import ccall safe "prof_sum" c_sum :: CLong -> IO CDouble
foreign import ccall "&prof_count" c_count :: FunPtr (Ptr CIntPtr -> IO CIntPtr)

[cmm|
tsoId# :: State# RealWorld -> (# State# RealWorld, Int# #)
arrayBytes# :: ByteArray# -> Int#

tsoId# ()
{
    return (TO_W_(StgTSO_id(CurrentTSO)));
}

arrayBytes# (P_ ba)
{
    return (StgArrBytes_bytes(ba));
}
|]

-- | The number of the calling Haskell thread, as GHC shows its ThreadId.
threadNumber :: IO Int
threadNumber = read . drop (length "ThreadId ") . show <$> myThreadId

-- | The length a byte array of n bytes has, read from its header by the quote.
bytesOf :: Int -> IO Int
bytesOf (I# n) = IO (\s -> case newByteArray# n s of
  (# s1, mba #) -> case unsafeFreezeByteArray# mba s1 of
    (# s2, ba #) -> (# s2, I# (arrayBytes# ba) #))

main :: IO ()
main = do
  results <- newIORef []
  let check name ok detail = do
        putStrLn ("prof-app: " ++ name ++ ": " ++ detail ++ (if ok then ": ok" else ": WRONG"))
        modifyIORef' results (ok :)
  -- the quote's reads of heap objects (offsets past the profiled header)
  mine <- threadNumber
  fromTso <- IO (\s -> case tsoId# s of (# s', n #) -> (# s', I# n #))
  check "[cmm| |] reads the TSO's id" (fromTso == mine) (show fromTso ++ " = " ++ show mine)
  lens <- mapM bytesOf [8, 24, 1000]
  check "[cmm| |] reads a byte array's length" (lens == [8, 24, 1000]) (show lens)
  -- batchApply (SAVE_THREAD_STATE / LOAD_THREAD_STATE in a quote) while
  -- another thread allocates and collections run
  churn <- forkIO (forever (performGC >> (length [1 .. 20000 :: Int] `seq` pure ())))
  sums <- alloca $ \p -> do
    poke p 0
    forM [1 .. 200 :: Int] $ \k -> do
      r <- batchApply c_count p 500
      if k `mod` 50 == 0 then performGC else pure ()
      pure r
  killThread churn
  check "batchApply: 200 batches of 500 calls under GCs" (all (== 500) sums) (show (sum sums))
  -- OpenMP: a C region, Haskell bodies on the team, the Cmm primitives
  s <- withNumThreads 2 (c_sum 100000)
  check "OpenMP C region" (s == 4999950000) (show s)
  hits <- newIORef (0 :: Int)
  parallelForN (Just 2) (Dynamic 100) 0 10000 $ \lo hi ->
    atomicModifyIORef' hits (\h -> (h + hi - lo, ()))
  h <- readIORef hits
  check "parallelFor on a team of 2" (h == 10000) (show h)
  seen <- newIORef []
  parallelRegion (Just 2) $ \t _ -> do
    tInline <- threadNumInline
    cInline <- currentCapabilityInline
    cPrim <- currentCapabilityPrim
    atomicModifyIORef' seen (\xs -> ((t, tInline, cInline == cPrim) : xs, ()))
  rows <- readIORef seen
  check "Cmm primitives on the team" (length rows == 2 && all (\(t, ti, same) -> t == ti && same) rows) (show rows)
  replicateM_ 3 performGC
  oks <- readIORef results
  if and oks then putStrLn "prof-app: all checks: ok" else exitFailure
