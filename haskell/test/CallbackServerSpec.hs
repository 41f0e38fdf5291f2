{-# LANGUAGE ScopedTypeVariables #-}
-- | Callbacks from OpenMP threads run on a persistent Haskell server thread
-- per OpenMP thread (Note [A Haskell server per OpenMP thread],
-- cbits/hs_server.c): one server per thread and region at most, exceptions,
-- GC during callbacks, callbacks that start regions, a killed server,
-- worker retirement (omp_pause_resource), program exit while callbacks
-- run or after them, and hs_exit() in a C program that hosts Haskell
-- (Note [Callback servers at hs_exit]).  The last four run child processes:
-- this test program, and the test-suite hosted-exit (test/HostedExit.hs).
module CallbackServerSpec (callbackServerSpec, callbackServerChild) where

import Control.Concurrent
import Control.Exception
import Control.Monad
import Data.IORef
import Data.List (isInfixOf, nub)
import Foreign.C.Types
import Foreign.Marshal.Array
import Foreign.Ptr
import Foreign.Storable
import GHC.Conc (BlockReason (..), ThreadStatus (..), threadStatus)
import System.Directory (doesFileExist)
import System.Environment (getExecutablePath)
import System.Exit
import System.FilePath (takeDirectory, (</>))
import System.IO
import System.Mem (performGC)
import System.Process
import System.Timeout (timeout)
import Test.Hspec

import HsOmp
import HsOmp.Callback
import Kernels
import ChildProcess (timedChild)

foreign import ccall safe "omp_pause_resource_all"
  c_pause_resource_all :: CInt -> IO CInt

within :: Int -> IO a -> IO a
within secs act = timeout (secs * 1000000) act
  >>= maybe (throwIO (userError ("timed out after " ++ show secs ++ " s"))) pure

data Boom = Boom deriving (Show, Eq)

instance Exception Boom

-- | Every thread of a team of t calls the callback `per` times (k_callbacks:
-- the argument is the thread's slot {thread, calls, value}); returns the
-- calls per thread.
teamCalls :: Int -> CLong -> (Ptr CLong -> IO ()) -> IO [CLong]
teamCalls t per body =
  allocaArray (3 * t) $ \slots -> do
    pokeArray slots (replicate (3 * t) 0)
    withCallback (body . castPtr) $ \cb ->
      c_callbacks (fromIntegral t) (castFunPtr (callbackEntry cb)) (callbackEnv cb) per slots
    rows <- peekArray (3 * t) slots
    pure [rows !! (3 * i + 1) | i <- [0 .. t - 1]]

callbackServerSpec :: Spec
callbackServerSpec = describe "callback servers (one Haskell thread per OpenMP thread)" $ do
  it "a team's callbacks run on at most one Haskell thread per OpenMP thread, kept across regions" $ do
    ids <- newIORef []
    let body q = do
          tid <- myThreadId
          atomicModifyIORef' ids (\l -> (tid : l, ()))
          countCall q
    s0 <- callbackServersStarted
    calls <- within 60 (teamCalls 3 500 body)
    calls `shouldBe` [500, 500, 500]
    s1 <- callbackServersStarted
    n1 <- length . nub <$> readIORef ids
    -- the ordinary entry makes a new thread per call (1500); with servers:
    -- one per thread, plus the primary thread's first call made the
    -- ordinary way
    n1 `shouldSatisfy` (<= 4)
    (s1 - s0) `shouldSatisfy` (\d -> d >= 1 && d <= 3)
    writeIORef ids []
    calls2 <- within 60 (teamCalls 3 500 body)
    calls2 `shouldBe` [500, 500, 500]
    s2 <- callbackServersStarted
    -- the workers' servers serve again; only the primary thread's, which
    -- ended with its region, starts anew
    (s2 - s1) `shouldSatisfy` (<= 1)
    n2 <- length . nub <$> readIORef ids
    n2 `shouldSatisfy` (<= 4)

  it "an exception in a callback on a worker is re-thrown, and the servers go on serving" $ do
    hits <- newIORef (0 :: Int)
    r <- try $ teamCalls 2 200 $ \q -> do
      t <- peekElemOff q 0
      c <- peekElemOff q 1
      pokeElemOff q 1 (c + 1)
      atomicModifyIORef' hits (\h -> (h + 1, ()))
      when (t == 1 && c == 50) (throwIO Boom)
    r `shouldBe` Left Boom
    readIORef hits >>= (`shouldBe` 400)
    s0 <- callbackServersStarted
    calls <- within 60 (teamCalls 2 200 countCall)
    calls `shouldBe` [200, 200]
    s1 <- callbackServersStarted
    (s1 - s0) `shouldSatisfy` (<= 1)

  it "GC during callbacks: callbacks that allocate and force GCs, beside an allocating thread" $ do
    stop <- newIORef False
    done <- newEmptyMVar
    _ <- forkIO $ do
      let go k = do
            s <- readIORef stop
            if s then putMVar done k else evaluate (length (show [k .. k + 300])) >> go (k + 1)
      go (0 :: Int)
    sums <- newIORef (0 :: Int)
    calls <- within 60 $ teamCalls 2 2000 $ \q -> do
      c <- peekElemOff q 1
      pokeElemOff q 1 (c + 1)
      v <- evaluate (sum (map (* 2) [1 .. fromIntegral (c `mod` 100) :: Int]))
      atomicModifyIORef' sums (\s -> (s + v, ()))
      when (c `mod` 500 == 0) performGC
    writeIORef stop True
    _ <- takeMVar done
    calls `shouldBe` [2000, 2000]
    let perThread = sum [sum (map (* 2) [1 .. c `mod` 100]) | c <- [0 .. 1999 :: Int]]
    readIORef sums >>= (`shouldBe` 2 * perThread)

  it "a callback that itself starts regions whose threads call back" $ do
    loops <- newIORef (0 :: Int)
    innerCalls <- newIORef (0 :: Int)
    innerSlots <- newIORef (0 :: CLong)
    calls <- within 60 $ teamCalls 2 20 $ \q -> do
      countCall q
      c <- peekElemOff q 1
      when (c `mod` 5 == 0) $ do
        -- a nested team (1 thread unless nesting is on): each of its
        -- threads calls back 30 times
        cs <- teamCalls 2 30 (\q' -> countCall q' >> atomicModifyIORef' innerCalls (\i -> (i + 1, ())))
        filter (/= 0) cs `shouldSatisfy` (\l -> not (null l) && all (== 30) l)
        atomicModifyIORef' innerSlots (\i -> (i + sum cs, ()))
      parallelForN (Just 2) (Dynamic 1) 0 4 (\lo hi ->
        atomicModifyIORef' loops (\i -> (i + hi - lo, ())))
    calls `shouldBe` [20, 20]
    readIORef loops >>= (`shouldBe` 2 * 20 * 4)
    n <- readIORef innerCalls
    n `shouldSatisfy` (>= 2 * 4 * 30)
    readIORef innerSlots >>= (`shouldBe` fromIntegral n)

  it "callbacks from C called by parallelFor chunks (another in-call above the server's)" $ do
    -- workers first get servers, then run parallelFor chunks (an in-call of
    -- their own) whose C code calls back: those entries must not resume
    -- the server, whose in-call is not the thread's newest
    warm <- within 60 (teamCalls 2 100 countCall)
    warm `shouldBe` [100, 100]
    hits <- newIORef (0 :: Int)
    within 60 $ parallelForN (Just 2) (Dynamic 1) 0 40 $ \lo hi ->
      forM_ [lo .. hi - 1] $ \_ -> do
        cs <- teamCalls 1 5 (\q -> countCall q >> atomicModifyIORef' hits (\h -> (h + 1, ())))
        cs `shouldBe` [5]
    readIORef hits >>= (`shouldBe` 200)

  it "a killed server's thread goes on entering Haskell the ordinary way" $ do
    victim <- newEmptyMVar
    calls <- within 60 $ teamCalls 2 100 $ \q -> do
      t <- peekElemOff q 0
      when (t == 1) (myThreadId >>= void . tryPutMVar victim)
      countCall q
    calls `shouldBe` [100, 100]
    tid <- takeMVar victim
    -- throwTo waits until the server returns from its wait for a job,
    -- i.e. until its worker calls back again
    killer <- forkIO (killThread tid)
    -- the kill must be pending before the worker calls back again, or it
    -- may reach the server while it runs a job (then it is that
    -- callback's exception, re-thrown here): wait until the killer's
    -- throwTo is blocked (the server waits in a safe call)
    let pending :: Int -> IO ()
        pending k = do
          ks <- threadStatus killer
          unless (ks == ThreadBlocked BlockedOnException || ks == ThreadFinished || k >= 5000) $
            threadDelay 200 >> pending (k + 1)
    pending 0
    let go :: Int -> IO ThreadStatus
        go k = do
          cs <- within 60 (teamCalls 2 100 countCall)
          cs `shouldBe` [100, 100]
          st <- threadStatus tid
          if st == ThreadFinished || k >= 20 then pure st else go (k + 1)
    st <- go 1
    killThread killer
    st `shouldBe` ThreadFinished
    calls3 <- within 60 (teamCalls 2 100 countCall)
    calls3 `shouldBe` [100, 100]

  it "workers retired by omp_pause_resource end their servers quietly" $ do
    (code, _, err) <- child "pause"
    code `shouldBe` ExitSuccess
    lines err `shouldBe` []

  it "exiting while callbacks run in other threads is quiet and prompt" $ do
    (code, t, err) <- child "exit"
    code `shouldBe` ExitSuccess
    t `shouldSatisfy` (< 3)
    err `shouldNotSatisfy` ("callback" `isInfixOf`)
    lines err `shouldBe` []

  it "a Haskell program's exit after its workers started servers is quiet and prompt" $ do
    (code, t, err) <- child "return"
    code `shouldBe` ExitSuccess
    t `shouldSatisfy` (< 3)
    lines err `shouldBe` []

  it "a C program that hosts Haskell ends it with hs_exit() after its workers started servers" $ do
    -- hs_exit waits for safe foreign calls, where an idle server waits:
    -- the servers must end first (the program's watchdog exits 3 if
    -- hs_exit has not returned within 10 s)
    spec <- getExecutablePath
    let hosted = takeDirectory (takeDirectory spec) </> "hosted-exit" </> "hosted-exit"
    found <- doesFileExist hosted
    unless found $ expectationFailure ("no " ++ hosted ++ " (build the test-suite hosted-exit)")
    (_, Just out, Just err, ph) <- createProcess (proc hosted [])
      { std_out = CreatePipe, std_err = CreatePipe }
    code <- timeout 30000000 (waitForProcess ph)
    o <- hGetContents out
    e <- hGetContents err
    length o `seq` length e `seq` pure ()
    when (code == Nothing) (terminateProcess ph)
    (code, lines e) `shouldBe` (Just ExitSuccess, [])
    o `shouldSatisfy` ("hs_exit returned" `isInfixOf`)

-- | Run this program as a child in the given mode; its exit code, the time
-- from the child's "ready" line to its exit, and its stderr.
child :: String -> IO (ExitCode, Double, String)
child mode = timedChild ["--child-callbacks", mode] (const (pure ()))

-- | The child: "pause" makes callbacks on a team, retires the workers
-- (omp_pause_resource_all), makes callbacks again and exits; "return"
-- makes callbacks on a team of the main thread (its workers keep their
-- servers) and returns from main; "exit" starts 2 threads whose teams call
-- back for 20 s, then returns from main.
callbackServerChild :: String -> IO ()
callbackServerChild mode = do
  hSetBuffering stdout LineBuffering
  case mode of
    "pause" -> do
      a <- teamCalls 3 300 countCall
      r <- c_pause_resource_all 2
      b <- teamCalls 3 300 countCall
      c <- teamCalls 3 300 countCall
      unless (a == [300, 300, 300] && r == 0 && b == a && c == a) $ do
        hPutStrLn stderr ("pause: " ++ show (a, r, b, c))
        exitWith (ExitFailure 2)
      putStrLn "ready"
    "return" -> do
      a <- teamCalls 3 300 countCall
      s <- callbackServersStarted
      unless (a == [300, 300, 300] && s >= 2) $ do
        hPutStrLn stderr ("return: " ++ show (a, s))
        exitWith (ExitFailure 2)
      putStrLn "ready"
    _ -> do
      started <- newEmptyMVar
      replicateM_ 2 $ forkIO $ do
        _ <- teamCalls 2 1 (const (pure ()))
        putMVar started ()
        void (teamCalls 2 20000 (\q -> countCall q >> threadDelay 1000))
      replicateM_ 2 (takeMVar started)
      threadDelay 200000
      putStrLn "ready"
