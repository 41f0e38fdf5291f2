-- | OpenMP in the GHC eventlog (src/ompt/ompt_eventlog.c).  The program runs
-- itself as a child with @+RTS -N2 -l@, the child runs a known OpenMP
-- program (test/cbits/eventlog_kernel.c: 3 regions of 2 threads, a
-- dynamic loop and 3 tasks each), and the parent reads the eventlog with
-- ghc-events and checks hsomp's events: exact counts per event, the
-- Capability each team thread's events are on, their order in time and
-- their begin/end nesting on each Capability, and the Haskell side's own
-- events in the same log.  Exit status 1 on failure.
module Main (main) where

import Control.Monad
import Debug.Trace (traceEventIO)
import Data.IORef
import Data.List (isInfixOf, isPrefixOf, nub)
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
      -- (posted on the Capability this Haskell thread runs on)
      traceEventIO "hsomp-test: the caller"
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
  let msgs = [(evTime e, evCap e, T.unpack m) | e <- evs, UserMessage m <- [evSpec e], "hsomp " `isPrefixOf` T.unpack m]
      count s = length [() | (_, _, m) <- msgs, s `isInfixOf` m]
      haskellEvents = length [() | e <- evs, isHaskell (evSpec e)]
      attached = length [() | e <- evs, Message m <- [evSpec e], "hsomp eventlog attached" `isPrefixOf` T.unpack m]
  failures <- newIORef (0 :: Int)
  let check ok what = do
        printf "  %s %s\n" (if ok then "ok  " else "FAIL") (what :: String)
        unless ok $ modifyIORef' failures (+ 1)
      expect s n = check (count s == n) (printf "%d x \"%s\" (got %d)" n s (count s))
      regionsThreads = rounds * threads
  check (attached == 1) "hsomp attached itself to the eventlog"
  expect "parallel begin threads=2" rounds
  expect "parallel end" rounds
  expect "implicit-task begin" regionsThreads
  expect "implicit-task end" regionsThreads
  expect "thread=0 region=1 implicit-task begin" 1
  expect "thread=1 region=1 implicit-task begin" 1
  expect "thread=1 region=3 implicit-task end" 1
  expect "loop begin count=100" regionsThreads
  expect "loop end count=100" regionsThreads
  expect "wait barrier (construct end) begin" regionsThreads
  expect "wait barrier (construct end) end" regionsThreads
  expect "wait barrier (region end) begin" regionsThreads
  expect "wait barrier (region end) end" regionsThreads
  expect "single begin" rounds
  expect "single (skipped) begin" (rounds * (threads - 1))
  expect " task begin" (rounds * 3)
  expect " task end" (rounds * 3)
  -- The Capabilities: thread 1 is worker 1, bound to Capability 1 of 2,
  -- and every one of its events is in Capability 1's blocks; thread 0 is
  -- the Haskell thread that called the kernel, which released its
  -- Capability for the foreign call: its events and the regions' begin
  -- and end are on that Capability, the one its own trace event is on.
  let caps s = [c | (_, c, m) <- msgs, s `isInfixOf` m]
      callerCaps = [evCap e | e <- evs, UserMessage m <- [evSpec e], m == T.pack "hsomp-test: the caller"]
  check (not (null (caps "thread=1 ")) && all (== Just 1) (caps "thread=1 "))
    (printf "every event of thread 1 is on Capability 1 (%s)" (show (nub (caps "thread=1 "))))
  check (length callerCaps == 1 && all (`elem` callerCaps) (caps "thread=0 " ++ caps "parallel ")
         && callerCaps /= [Nothing])
    (printf "thread 0's events are on its Haskell thread's Capability %s (%s)" (show callerCaps)
       (show (nub (caps "thread=0 " ++ caps "parallel "))))
  -- Each thread's events come in the file in the order of their time
  -- stamps, and every begin has its end, properly nested: one stack of
  -- open constructs per Capability and thread.
  let threadOf m = case [drop 7 w | w <- words m, "thread=" `isPrefixOf` w] of
        (t : _) -> t
        [] -> "0" -- a region's begin and end: its master's
      groups = nub [(c, threadOf m) | (_, c, m) <- msgs]
      byGroup = [(g, [(t, m) | (t, c, m) <- msgs, (c, threadOf m) == g]) | g <- groups]
  forM_ byGroup $ \((c, th), es) -> do
    let times = map fst es
    check (and (zipWith (<=) times (drop 1 times)))
      (printf "capability %s, thread %s: %d events in time order" (show c) th (length es))
    check (nested (map snd es))
      (printf "capability %s, thread %s: every begin has its end, properly nested" (show c) th)
  check (haskellEvents > 0) (printf "the Haskell threads' own events are in the same log (%d)" haskellEvents)
  -- Without +RTS -l nothing is written and the program runs as usual.
  let file2 = file ++ ".off"
  ec2 <- rawSystem exe ["child", "+RTS", "-N2", "-ol" ++ file2, "-RTS"]
  written <- doesFileExist file2
  check (ec2 == ExitSuccess && not written) "without +RTS -l: no eventlog, same result"
  n <- readIORef failures
  printf "eventlog: %d events from hsomp, %d failures\n" (length msgs) n
  if n == 0 then exitSuccess else exitFailure
  where
    isHaskell s = case s of
      RunThread {} -> True
      StopThread {} -> True
      CreateThread {} -> True
      _ -> False

-- | Begin and end events, as a stack of open constructs: "hsomp thread=1
-- region=2 loop begin count=100" opens "loop" (the words before the last
-- word that is "begin" or "end"; "parallel" for the regions' own events).
nested :: [String] -> Bool
nested = go []
  where
    go open [] = null open
    go open (m : ms) = case endpoint (words m) of
      Just ("begin", k) -> go (k : open) ms
      Just ("end", k) -> case open of
        (k' : rest) | k' == k -> go rest ms
        _ -> False
      _ -> go open ms
    endpoint ws =
      case break (`elem` ["begin", "end"]) (reverse ws) of
        (_, e : before) -> Just (e, unwords (dropWhile isField (reverse before)))
        _ -> Nothing
    isField w = "hsomp" == w || '=' `elem` w

die' :: String -> IO a
die' m = putStrLn ("FAIL " ++ m) >> exitFailure
