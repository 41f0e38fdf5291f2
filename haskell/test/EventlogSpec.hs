-- | OpenMP in the GHC eventlog (src/ompt/ompt_eventlog.c).  The program runs
-- itself as a child with @+RTS -N2 -l@, the child runs a known OpenMP
-- program (test/cbits/eventlog_kernel.c: 3 regions of 2 threads, a
-- dynamic loop and 3 tasks each), and the parent reads the eventlog with
-- ghc-events and checks hsomp's messages: exact counts per event, the
-- Capability each team thread is marked with, begin before end, and the
-- Haskell side's own events in the same log.  Exit status 1 on failure.
module Main (main) where

import Control.Monad
import Data.IORef
import Data.List (isInfixOf, isPrefixOf)
import qualified Data.Text as T
import Foreign.C.Types
import GHC.RTS.Events
import System.Directory (getTemporaryDirectory, removeFile, doesFileExist)
import System.Environment (getArgs, getExecutablePath)
import System.Exit
import System.FilePath ((</>))
import System.Process (rawSystem)
import System.Posix.Process (getProcessID)
import Text.Printf (printf)

foreign import ccall safe "eventlog_kernel" c_kernel :: CInt -> CInt -> IO CInt

rounds, threads :: Int
rounds = 3
threads = 2

main :: IO ()
main = do
  args <- getArgs
  case args of
    ["child"] -> do
      r <- c_kernel (fromIntegral rounds) (fromIntegral threads)
      unless (r == 0) $ die' ("the OpenMP kernel returned " ++ show r)
    _ -> parent

parent :: IO ()
parent = do
  exe <- getExecutablePath
  tmp <- getTemporaryDirectory
  pid <- getProcessID
  let file = tmp </> ("hsomp-eventlog-" ++ show pid ++ ".eventlog")
  ec <- rawSystem exe ["child", "+RTS", "-N2", "-l", "-ol" ++ file, "-RTS"]
  unless (ec == ExitSuccess) $ die' ("the child failed: " ++ show ec)
  parsed <- readEventLogFromFile file
  removeFile file
  evs <- case parsed of
    Left err -> die' ("ghc-events cannot read the eventlog: " ++ err)
    Right (EventLog _ (Data es)) -> return es
  let msgs = [(evTime e, T.unpack m) | e <- evs, Message m <- [evSpec e], "hsomp " `isPrefixOf` T.unpack m]
      count s = length [() | (_, m) <- msgs, s `isInfixOf` m]
      haskellEvents = length [() | e <- evs, isHaskell (evSpec e)]
  failures <- newIORef (0 :: Int)
  let check ok what = do
        printf "  %s %s\n" (if ok then "ok  " else "FAIL") (what :: String)
        unless ok $ modifyIORef' failures (+ 1)
      expect s n = check (count s == n) (printf "%d x \"%s\" (got %d)" n s (count s))
      regionsThreads = rounds * threads
  check (count "eventlog attached" == 1) "hsomp attached itself to the eventlog"
  expect "parallel begin threads=2" rounds
  expect "parallel end" rounds
  expect "implicit-task begin" regionsThreads
  expect "implicit-task end" regionsThreads
  -- thread 0 is the Haskell thread that called the kernel (bound to no
  -- Capability); thread 1 is worker 1, bound to Capability 1 of 2.
  expect "cap=-1 thread=0 region=1 implicit-task begin" 1
  expect "cap=1 thread=1 region=1 implicit-task begin" 1
  expect "cap=1 thread=1 region=3 implicit-task end" 1
  expect "loop begin count=100" regionsThreads
  expect "loop end count=100" regionsThreads
  expect "barrier-wait kind=construct-end begin" regionsThreads
  expect "barrier-wait kind=construct-end end" regionsThreads
  expect "barrier-wait kind=region-end begin" regionsThreads
  expect "barrier-wait kind=region-end end" regionsThreads
  expect "single begin" rounds
  expect "single-other begin" (rounds * (threads - 1))
  expect " task begin" (rounds * 3)
  expect " task end" (rounds * 3)
  -- Each thread's implicit task begins before it ends, in every region.
  let at s = [t | (t, m) <- msgs, s `isInfixOf` m]
      ordered r th = case (at (tag r th "begin"), at (tag r th "end")) of
        ([b], [e]) -> b <= e
        _ -> False
      tag r th be = printf "thread=%d region=%d implicit-task %s" (th :: Int) (r :: Int) (be :: String)
  check (and [ordered r th | r <- [1 .. rounds], th <- [0 .. threads - 1]])
    "every implicit task begins before it ends"
  check (haskellEvents > 0) (printf "the Haskell threads' own events are in the same log (%d)" haskellEvents)
  -- Without +RTS -l nothing is written and the program runs as usual.
  let file2 = file ++ ".off"
  ec2 <- rawSystem exe ["child", "+RTS", "-N2", "-ol" ++ file2, "-RTS"]
  written <- doesFileExist file2
  check (ec2 == ExitSuccess && not written) "without +RTS -l: no eventlog, same result"
  n <- readIORef failures
  printf "eventlog: %d messages from hsomp, %d failures\n" (length msgs) n
  if n == 0 then exitSuccess else exitFailure
  where
    isHaskell s = case s of
      RunThread {} -> True
      StopThread {} -> True
      CreateThread {} -> True
      _ -> False

die' :: String -> IO a
die' m = putStrLn ("FAIL " ++ m) >> exitFailure
