-- | What the runtime reads from the RTS for its thread budget (Note [What
-- the RTS says about its Capabilities], ../src/ghc/rts_glue.c): the number of
-- Capabilities a Task holds right now, checked against situations whose
-- answer the scheduler fixes.  Wrong offsets into the Capability struct
-- give other numbers (or crash).
module CrowdSpec (crowdSpec) where

import Control.Concurrent
import Control.Monad
import Data.IORef
import Foreign.C.Types
import Test.Hspec

foreign import ccall unsafe "hsomp_rts_busy_capabilities" busyUnsafe :: IO CUInt
foreign import ccall safe "hsomp_rts_busy_capabilities" busySafe :: IO CUInt

crowdSpec :: Spec
crowdSpec = describe "busy Capabilities (the thread budget's view of the RTS)" $ do
  it "counts the caller's own Capability in an unsafe call, none in a safe one" $ do
    n <- getNumCapabilities
    when (n < 2) $ pendingWith "needs -N2 or more"
    -- settle: let other test threads and the idle GC finish
    threadDelay 20000
    own <- busyUnsafe
    own `shouldSatisfy` (>= 1)
    none <- minimum <$> replicateM 20 busySafe
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
