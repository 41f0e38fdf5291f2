-- | What the runtime reads from the RTS for its thread budget (Note [What
-- the RTS says about its Capabilities], ../src/ghc/rts_glue.c): the number of
-- Capabilities a Task holds right now, checked against situations whose
-- answer the scheduler fixes.  Wrong offsets into the Capability struct
-- give other numbers (or crash).
module CrowdSpec (crowdSpec) where

import Control.Concurrent
import Control.Monad
import Data.IORef
import Data.List (sort)
import Foreign.C.Types
import Foreign.StablePtr (StablePtr)
import GHC.Conc (PrimMVar, newStablePtrPrimMVar)
import Stats (medianMs)
import Test.Hspec

foreign import ccall unsafe "hsomp_rts_busy_capabilities" busyUnsafe :: IO CUInt
foreign import ccall safe "hsomp_rts_busy_capabilities" busySafe :: IO CUInt
foreign import ccall safe "k_sleep_region" sleepRegion :: CLong -> IO ()
foreign import ccall safe "k_wait_cpu_region"
  waitCpuRegion :: CLong -> CLong -> StablePtr PrimMVar -> IO CLong

crowdSpec :: Spec
crowdSpec = describe "busy Capabilities (the thread budget's view of the RTS)" $ do
  it "counts the caller's own Capability in an unsafe call, none in a safe one" $ do
    n <- getNumCapabilities
    when (n < 2) $ pendingWith "needs -N2 or more"
    -- settle: let other test threads and the idle GC finish
    threadDelay 20000
    own <- busyUnsafe
    own `shouldSatisfy` (>= 1)
    -- another test's Haskell thread may still be winding down on the
    -- other Capability (the order is random; on a loaded machine its OS
    -- thread may wait for a CPU): sample for up to a second
    let idle k best | k >= (1000 :: Int) || best == 0 = pure best
                    | otherwise = do b <- busySafe
                                     when (b /= 0) (threadDelay 1000)
                                     idle (k + 1) (min best b)
    none <- idle 0 maxBound
    none `shouldBe` 0
  it "counts a Capability running a Haskell loop" $ do
    n <- getNumCapabilities
    when (n < 2) $ pendingWith "needs -N2 or more"
    (me, _) <- threadCapability =<< myThreadId
    stop <- newIORef False
    started <- newEmptyMVar
    done <- newEmptyMVar
    let spin k = do s <- readIORef stop
                    if s then putMVar done () else spin (k + 1 :: Int)
    _ <- forkOn ((me + 1) `mod` n) (putMVar started () >> spin 0)
    takeMVar started
    -- the loop runs now (on a loaded machine its OS thread may still be
    -- descheduled: sample for up to a second)
    let sample k best | k >= (1000 :: Int) || best >= 2 = pure best
                      | otherwise = do b <- busyUnsafe
                                       when (b < 2) (threadDelay 1000)
                                       sample (k + 1) (max best b)
    seen <- sample 0 0
    writeIORef stop True
    takeMVar done
    seen `shouldSatisfy` (>= 2)
  it "hands the caller's Capability back when its region ends" $ do
    -- Note [Handing the Capability back] (../src/rts_glue.c): a safe call
    -- whose Capability an allocating Haskell thread took over gets it back
    -- at that thread's next heap check, not at the next 20 ms timer tick.
    -- Caller and loop are both pinned (forkOn) to one Capability; each
    -- call is a region of 2 threads sleeping 1 ms.  The median call beside
    -- the loop is compared with the median call alone (best of three
    -- attempts): a wait for the tick adds 10 ms on average.
    extra <- extraBesideLoop 0 (sleepRegion 1000)
    extra `shouldSatisfy` (< 5)
  it "stops spinning when a Haskell thread starts during a wait" $ do
    -- Note [Crowded CPUs] (../src/ghc/crowd.c): a wait looks at the busy
    -- Capabilities again while it spins.  A region of one thread per CPU
    -- whose other threads sleep 40 ms before a barrier: its master waits
    -- there with every Capability idle, so it spins (its budget is about
    -- 2.3 ms of CPU on an idle machine).  0.2 ms into the wait a team
    -- thread wakes a Haskell loop that does not allocate on another
    -- Capability: from then on the CPUs are crowded and the master must
    -- sleep within about 25 us.  A runtime that looks only when the wait
    -- starts spins its whole budget whenever the CPUs were not crowded at
    -- that moment (other test threads may make them so for a while: the
    -- runtime before the change failed this test in one run of three).
    -- The median of five attempts counts (the first region also starts
    -- the workers; on a loaded machine a spinner gets less CPU, never
    -- more).
    n <- getNumCapabilities
    when (n < 2) $ pendingWith "needs -N2 or more"
    (me, _) <- threadCapability =<< myThreadId
    let attempt = do
          stop <- newIORef False
          ready <- newEmptyMVar
          go <- newEmptyMVar
          done <- newEmptyMVar
          let loop k = do s <- readIORef stop
                          if s then putMVar done () else loop (k + 1 :: Int)
          _ <- forkOn ((me + 1) `mod` n) (putMVar ready () >> takeMVar go >> loop 0)
          takeMVar ready
          -- until the other Capability is idle again (its thread blocked)
          let settle k = do b <- busyUnsafe
                            when (b > 1 && k < (1000000 :: Int)) (settle (k + 1))
          settle 0
          sp <- newStablePtrPrimMVar go
          cpu <- waitCpuRegion 40000 200 sp
          writeIORef stop True
          takeMVar done
          pure (fromIntegral cpu :: Int)
    cpus <- replicateM 5 attempt
    when (any (< 0) cpus) $ pendingWith "needs a team of 2 or more (one CPU)"
    (sort cpus !! 2) `shouldSatisfy` (< 1200)

-- | How many milliseconds longer the median of 20 runs of @act@ takes,
-- run by a thread pinned to the caller's Capability, while a Haskell loop
-- that does not allocate runs pinned to Capability @me + offset@ (it
-- yields only at its -fno-omit-yields checks: no GC comes to hand that
-- Capability over either), than the median alone.  A wait for the 20 ms
-- tick is in every run of every attempt, a load spike of the machine only
-- in some: the best of three attempts (the first under 5 ms ends them).
extraBesideLoop :: Int -> IO () -> IO Double
extraBesideLoop offset act = do
  (me, _) <- threadCapability =<< myThreadId
  let runs k = medianMs k act
      pinned a = do v <- newEmptyMVar
                    _ <- forkOn me (a >>= putMVar v)
                    takeMVar v
      attempt = do
        alone <- pinned (runs 20)
        stop <- newIORef False
        done <- newEmptyMVar
        let loop k = do s <- readIORef stop
                        if s then putMVar done () else loop (k + 1 :: Int)
        _ <- forkOn (me + offset) (loop 0)
        beside <- pinned (threadDelay 2000 >> runs 20)
        writeIORef stop True
        takeMVar done
        pure (alone, beside)
      tries k = do
        (alone, beside) <- attempt
        if beside < alone + 5 || k >= (3 :: Int) then pure (beside - alone) else tries (k + 1)
  tries (1 :: Int)
