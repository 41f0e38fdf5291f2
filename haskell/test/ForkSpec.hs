-- | 'forkProcess' after an OpenMP region: the child runs regions of its
-- own.  In the static archive the package links, the runtime's fork
-- handler used to be dropped by the linker (fork.c held only a
-- constructor nothing referred to), so the child waited forever for the
-- parent's workers, which a child does not have; the shared library build
-- kept it.  Note [Registering the fork handler] in ../src/fork.c.
module ForkSpec (forkSpec) where

import Control.Concurrent (threadDelay)
import System.Exit (ExitCode (..))
import System.Posix.Process (ProcessStatus (..), exitImmediately, forkProcess, getProcessStatus)
import System.Posix.Signals (killProcess, signalProcess)
import System.Posix.Types (ProcessID)
import Test.Hspec

import Kernels (c_small_region)

forkSpec :: Spec
forkSpec = describe "forkProcess" $
  it "the child of forkProcess after a region runs regions of its own (fork handler linked)" $ do
    c_small_region 4 n `shouldReturn` expected
    pid <- forkProcess $ do
      s <- c_small_region 4 n
      s2 <- c_small_region 2 1000
      exitImmediately (if s == expected && s2 == 499500 then ExitSuccess else ExitFailure 3)
    waitFor pid (300 :: Int) `shouldReturn` Just (Exited ExitSuccess)
  where
    n = 100000
    expected = n * (n - 1) `div` 2

-- | The child's status, polling every 100 ms; Nothing (the child killed)
-- if it has not ended after that many polls.
waitFor :: ProcessID -> Int -> IO (Maybe ProcessStatus)
waitFor pid polls
  | polls <= 0 = signalProcess killProcess pid >> getProcessStatus True False pid >> pure Nothing
  | otherwise = getProcessStatus False False pid
      >>= maybe (threadDelay 100000 >> waitFor pid (polls - 1)) (pure . Just)
