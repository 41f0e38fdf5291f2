-- | Running the test program again as a child process, for behaviour that
-- shows only at a process's exit or on a signal (InterruptSpec,
-- CallbackServerSpec).
module ChildProcess (timedChild) where

import GHC.Clock (getMonotonicTimeNSec)
import System.Environment (getExecutablePath)
import System.Exit (ExitCode (..))
import System.IO (hGetContents, hGetLine)
import System.Process
import System.Timeout (timeout)
import Test.Hspec (shouldBe)

-- | Start this executable with @args@, wait (at most 30 s) for the child's
-- "ready" line, run @poke@ on it, then wait (at most 20 s) for it to end.
-- Returns its exit code, the seconds from "ready" to its end, and its
-- stderr; a child that does not end is killed and reported as
-- @ExitFailure 999@.
timedChild :: [String] -> (ProcessHandle -> IO ()) -> IO (ExitCode, Double, String)
timedChild args poke = do
  self <- getExecutablePath
  (_, Just out, Just err, ph) <- createProcess (proc self args)
    { std_out = CreatePipe, std_err = CreatePipe }
  ready <- timeout 30000000 (hGetLine out)
  ready `shouldBe` Just "ready"
  t0 <- getMonotonicTimeNSec
  poke ph
  code <- timeout 20000000 (waitForProcess ph)
  t1 <- getMonotonicTimeNSec
  e <- hGetContents err
  length e `seq` pure ()
  case code of
    Nothing -> terminateProcess ph >> pure (ExitFailure 999, 99, e)
    Just c -> pure (c, fromIntegral (t1 - t0) / 1e9, e)
