-- | Interruptible Haskell-side loops (README "Interrupting loops"): an
-- asynchronous exception to the thread running 'parallelFor', a slice loop
-- or a linear plan stops the loop after the chunks already running, skips
-- the rest and is re-thrown; Ctrl-C does the same to the main thread; a
-- program that exits while loops run in other threads exits at once,
-- quietly.  The last two run this test program as a child
-- ('interruptChild').
module InterruptSpec (interruptSpec, interruptChild) where

import Control.Concurrent
import Control.Exception
import Control.Monad
import Data.IORef
import Data.List (foldl', isInfixOf)
import qualified Data.Vector.Storable.Mutable as VSM
import GHC.Clock (getMonotonicTimeNSec)
import System.Exit (ExitCode (..), exitWith)
import System.IO
import System.Process
import System.Timeout (timeout)
import Test.Hspec

import ChildProcess (timedChild)

import HsOmp (Schedule (..), parallelFor, parallelForN)
import HsOmp.Slice (Split (..), parallelSlices_)
import qualified HsOmp.Slice as S
import HsOmp.Slice.Linear (each, chunksOf, run, withOwned)

seconds :: IO a -> IO (a, Double)
seconds act = do
  t0 <- getMonotonicTimeNSec
  r <- act
  t1 <- getMonotonicTimeNSec
  pure (r, fromIntegral (t1 - t0) / 1e9)

-- | About a millisecond of arithmetic per 100 units, allocation-free.
busy :: Int -> Double
busy n = foldl' (\a i -> a + sin (fromIntegral i)) 0 [1 .. n * 1000]
{-# NOINLINE busy #-}

-- | 100 chunks of ~20 ms (sleep) on 2 threads: 1 s uninterrupted.
sleepyLoop :: IORef Int -> IO ()
sleepyLoop ran = parallelForN (Just 2) (Dynamic 1) 0 100 $ \_ _ -> do
  threadDelay 20000
  atomicModifyIORef' ran (\c -> (c + 1, ()))

interruptSpec :: Spec
interruptSpec = describe "interrupting loops" $ do
  it "timeout stops parallelFor after the running chunks and re-throws" $ do
    ran <- newIORef 0
    (r, t) <- seconds (timeout 100000 (sleepyLoop ran))
    n <- readIORef ran
    r `shouldBe` Nothing
    t `shouldSatisfy` (< 0.6)
    n `shouldSatisfy` (< 50)
    -- the next loop runs every chunk
    ran2 <- newIORef 0
    parallelFor (Dynamic 3) 0 300 (\lo hi -> atomicModifyIORef' ran2 (\c -> (c + hi - lo, ())))
    readIORef ran2 >>= (`shouldBe` 300)

  it "killThread stops parallelFor in another thread, which gets ThreadKilled" $ do
    ran <- newIORef 0
    res <- newEmptyMVar
    tid <- forkIO (try (sleepyLoop ran) >>= putMVar res)
    threadDelay 100000
    (_, t) <- seconds (killThread tid)
    r <- takeMVar res
    n <- readIORef ran
    either (\e -> fromException e `shouldBe` Just ThreadKilled) (\() -> expectationFailure "ran to the end") r
    t `shouldSatisfy` (< 0.5)
    n `shouldSatisfy` (< 50)

  it "a body's own exception still lets the other chunks run (unchanged)" $ do
    ran <- newIORef 0
    r <- try $ parallelForN (Just 2) (Dynamic 1) 0 20 $ \lo _ -> do
      atomicModifyIORef' ran (\c -> (c + 1, ()))
      when (lo == 3) (throwIO (userError "chunk 3"))
    either (\e -> show (e :: IOException) `shouldSatisfy` ("chunk 3" `isInfixOf`)) (\() -> expectationFailure "no exception") r
    readIORef ran >>= (`shouldBe` 20)

  it "timeout stops a slice loop" $ do
    v <- VSM.replicate 100 (0 :: Double)
    (r, t) <- seconds $ timeout 100000 $
      parallelSlices_ (Split (Dynamic 1) 1 (Just 2)) v $ \sl ->
        S.forSlice sl (\i -> S.write sl i (1 + busy (2000 + S.globalIndex i `mod` 2) * 0))
    done <- length . filter (/= 0) <$> mapM (VSM.read v) [0 .. 99]
    r `shouldBe` Nothing
    t `shouldSatisfy` (< 1.5)
    done `shouldSatisfy` (< 60)

  it "timeout stops a linear plan" $ do
    v <- VSM.replicate 100 (0 :: Double)
    (r, t) <- seconds $ timeout 100000 $
      withOwned (Just 2) v (\o -> each (\part -> run part (\sl ->
        S.forSlice sl (\i -> S.write sl i (1 + busy (2000 + S.globalIndex i `mod` 2) * 0)))) (chunksOf 1 o))
    done <- length . filter (/= 0) <$> mapM (VSM.read v) [0 .. 99]
    r `shouldBe` Nothing
    t `shouldSatisfy` (< 1.5)
    done `shouldSatisfy` (< 60)

  it "uninterruptibleMask lets the loop finish before the exception" $ do
    ran <- newIORef 0
    res <- newEmptyMVar
    tid <- forkIO (try (uninterruptibleMask_ (parallelForN (Just 2) (Dynamic 1) 0 10 (\_ _ ->
             threadDelay 20000 >> atomicModifyIORef' ran (\c -> (c + 1, ()))))) >>= putMVar res)
    threadDelay 30000
    killThread tid
    r <- takeMVar res
    either (\e -> fromException e `shouldBe` Just ThreadKilled) (\() -> pure ()) r
    readIORef ran >>= (`shouldBe` 10)

  it "Ctrl-C (SIGINT) stops parallelFor in the main thread" $ do
    (code, t, err) <- child "sigint"
    -- GHC ends a program interrupted by Ctrl-C by re-raising SIGINT
    code `shouldBe` ExitFailure (-2)
    t `shouldSatisfy` (< 3)
    err `shouldNotSatisfy` ("did not complete" `isInfixOf`)

  it "exiting while loops run in other threads is quiet and prompt" $ do
    (code, t, err) <- child "exit"
    code `shouldBe` ExitSuccess
    t `shouldSatisfy` (< 3)
    lines err `shouldBe` []

-- | Run this program as a child in the given mode; its exit code, the time
-- from the child's "ready" line to its exit, and its stderr.
child :: String -> IO (ExitCode, Double, String)
child mode = timedChild ["--child-interrupt", mode] $ \ph ->
  when (mode == "sigint") $ do
    Just pid <- getPid ph
    _ <- readProcess "kill" ["-INT", show pid] ""
    pure ()

-- | The child: "sigint" runs a 20 s parallelFor in the main thread and
-- waits for Ctrl-C; "exit" starts 2 threads each running a long
-- parallelFor, then returns from main.
interruptChild :: String -> IO ()
interruptChild mode = do
  hSetBuffering stdout LineBuffering
  let long = parallelForN (Just 2) (Dynamic 1) 0 1000 (\_ _ -> threadDelay 20000)
  case mode of
    "sigint" -> putStrLn "ready" >> long >> exitWith (ExitFailure 3)
    _ -> do
      started <- newEmptyMVar
      replicateM_ 2 (forkIO (putMVar started () >> long))
      replicateM_ 2 (takeMVar started)
      threadDelay 200000
      putStrLn "ready"
