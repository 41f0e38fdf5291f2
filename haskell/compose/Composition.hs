-- | The composition benchmark (README "Composing with Haskell"): the
-- workloads of "ComposeWork" run in this program, which is linked to hsomp
-- through the package, and in the same source built by plain @ghc@ against
-- GCC's libgomp (and run with LLVM's libomp preloaded), taking turns in one
-- run, each at @+RTS -N1@, @-N2@, @-N4@ with GHC's parallel GC (@-qg0@) and
-- with the sequential GC (@-qg@).
--
-- > composition [--rounds R] [--reps K] [--only a,b] [--caps 1,2,4]
-- >             [--also NAME=EXE]   (another hsomp build, e.g. an older one)
-- > composition work SCENARIO REPS        (one process: best of REPS, in ms)
--
-- Prints, per scenario, -N and GC, the best time of each runtime (best of
-- REPS runs in a process, best over R rounds; the runtimes take turns, and
-- the first of each round rotates) and hsomp's throughput over the better
-- of libgomp and libomp; then, per cell, the medians over the rounds and
-- what the process spent in its best run: CPU time (every thread) and
-- context switches -- on a shared machine the wall times of one cell swing
-- by 2x, the CPU a runtime burns much less.
module Main (main) where

import Control.Monad
import Data.IORef
import Data.List (intercalate, isInfixOf, minimumBy, sort)
import Data.Ord (comparing)
import Foreign.C.Types (CLong (..))
import System.CPUTime (getCPUTime)
import qualified Data.Map.Strict as M
import System.Directory
import System.Environment
import System.Exit
import System.FilePath
import System.IO
import System.Process
import Text.Printf (printf)

import ComposeWork

data Opts = Opts
  { oRounds :: Int, oReps :: Int, oOnly :: [String], oCaps :: [Int], oAlso :: [(String, FilePath)] }

main :: IO ()
main = do
  args <- getArgs
  case args of
    ["work", s, k] -> worker s (read k)
    _ -> driver (parse args (Opts 2 3 (map fst scenarios) [1, 2, 4] []))
  where
    parse ("--rounds" : r : more) o = parse more o { oRounds = read r }
    parse ("--reps" : r : more) o = parse more o { oReps = read r }
    parse ("--only" : s : more) o = parse more o { oOnly = splitOn s }
    parse ("--caps" : s : more) o = parse more o { oCaps = map read (splitOn s) }
    parse ("--also" : s : more) o =
      let (n, p) = break (== '=') s in parse more o { oAlso = oAlso o ++ [(n, drop 1 p)] }
    parse [] o = o
    parse (a : _) _ = error ("composition: unknown argument " ++ a)

splitOn :: String -> [String]
splitOn s = case break (== ',') s of
  (a, []) -> [a]
  (a, _ : rest) -> a : splitOn rest

-- | Which OpenMP runtime this process runs on, from its own mappings.
runtimeName :: IO String
runtimeName = do
  maps <- readFile "/proc/self/maps"
  length maps `seq` pure ()
  pure $ if "libomp.so" `isInfixOf` maps then "libomp"
         else if "libgomp.so" `isInfixOf` maps then "libgomp"
         else "hsomp"

foreign import ccall unsafe "compose_context_switches" contextSwitches :: IO CLong

-- | Best of k runs: its wall ms, and the CPU ms (all threads) and context
-- switches of the process during that run.
worker :: String -> Int -> IO ()
worker s k = do
  rs <- replicateM (max 1 k) $ do
    c0 <- getCPUTime
    w0 <- contextSwitches
    t <- runScenario s
    c1 <- getCPUTime
    w1 <- contextSwitches
    pure (t, fromIntegral (c1 - c0) / 1e9 :: Double, w1 - w0)
  rt <- runtimeName
  let (t, c, w) = minimumBy (comparing (\(a, _, _) -> a)) rs
  printf "runtime=%s best_ms=%.3f cpu_ms=%.3f csw=%d\n" rt t c (fromIntegral w :: Int)

data Runtime = Runtime { rtName :: String, rtExe :: FilePath, rtEnv :: [(String, String)] }

driver :: Opts -> IO ()
driver o = do
  hSetBuffering stdout LineBuffering
  self <- getExecutablePath
  peer <- buildPeer self
  libomp <- findLibomp
  base <- filter (\(k, _) -> not (any (`isPrefixOfS` k) ["OMP_", "GOMP_", "KMP_", "GHCRTS", "LD_PRELOAD"]))
            <$> getEnvironment
  let rts = [Runtime "hsomp" self base, Runtime "libgomp" peer base]
            ++ [Runtime "libomp" peer (("LD_PRELOAD", l) : base) | Just l <- [libomp]]
            ++ [Runtime n p base | (n, p) <- oAlso o]
      gcs = [("par", "-qg0"), ("-qg", "-qg")]
      cells = [(s, n, g) | s <- oOnly o, n <- oCaps o, g <- gcs]
  results <- newIORef (M.empty :: M.Map (String, Int, String, String) [Double])
  spent <- newIORef (M.empty :: M.Map (String, Int, String, String) [(Double, Int)])
  forM_ [0 .. oRounds o - 1] $ \r ->
    forM_ cells $ \(s, n, (gname, gflag)) -> do
      let order = take (length rts) (drop (r `mod` length rts) (cycle rts))
      forM_ order $ \rt -> do
        (t, cw) <- runOne rt s n gflag (oReps o)
        modifyIORef' results (M.insertWith (++) (s, n, gname, rtName rt) [t])
        forM_ cw $ \x -> modifyIORef' spent (M.insertWith (++) (s, n, gname, rtName rt) [x])
  res <- readIORef results
  report o res (map rtName rts)
  cpu <- readIORef spent
  reportSpent o res cpu (map rtName rts)

isPrefixOfS :: String -> String -> Bool
isPrefixOfS p s = take (length p) s == p

-- | One process; a failure (on a shared machine: no room for a thread)
-- is retried twice before the benchmark gives up.
runOne :: Runtime -> String -> Int -> String -> Int -> IO (Double, Maybe (Double, Int))
runOne rt s n gflag reps = go (3 :: Int)
  where
    go k = do
      r <- runOnce rt s n gflag reps
      case r of
        Right t -> pure t
        Left why | k > 1 -> hPutStrLn stderr (why ++ "; again") >> go (k - 1)
                 | otherwise -> die why

runOnce :: Runtime -> String -> Int -> String -> Int -> IO (Either String (Double, Maybe (Double, Int)))
runOnce rt s n gflag reps = do
  let cp = (proc "timeout" ["120", rtExe rt, "work", s, show reps, "+RTS", "-N" ++ show n, gflag, "-RTS"])
             { env = Just (rtEnv rt), std_out = CreatePipe }
  (_, Just out, _, ph) <- createProcess cp
  txt <- hGetContents out
  length txt `seq` pure ()
  code <- waitForProcess ph
  let line = [l | l <- lines txt, "runtime=" `isPrefixOfS` l]
  case (code, line) of
    (ExitSuccess, [l]) -> do
      -- (an older build, --also, prints runtime and best_ms only)
      let rtw : msw : more = words l
          seen = drop (length "runtime=") rtw
          field k = [read (drop (length k) w) | w <- more, k `isPrefixOfS` w]
          cw = case (field "cpu_ms=", field "csw=") of
                 ([c], [w]) -> Just (c, round (w :: Double))
                 _ -> Nothing
      when (seen /= rtName rt && not (seen == "hsomp" && "hsomp" `isPrefixOfS` rtName rt)) $
        die ("composition: the " ++ rtName rt ++ " run ran on " ++ seen)
      pure (Right (read (drop (length "best_ms=") msw), cw))
    _ -> pure (Left ("composition: " ++ rtName rt ++ " " ++ s ++ " -N" ++ show n ++ " " ++ gflag
                     ++ " failed (" ++ show code ++ ")"))

-- | The same program built by plain ghc against GCC's libgomp, next to
-- this executable (ghc's recompilation check makes a rebuild quick).
buildPeer :: FilePath -> IO FilePath
buildPeer self = do
  src <- findSources
  let dir = takeDirectory self </> "peer"
      exe = dir </> "composition-peer"
  createDirectoryIfMissing True dir
  ghc <- maybe "ghc" id <$> lookupEnv "HSOMP_GHC"
  let args = [ "-O2", "-threaded", "-rtsopts", "-fno-omit-yields", "-package", "parallel"
             , "-i" ++ src, src </> "Composition.hs", src </> "cbits" </> "compose.c"
             , "-optc-O2", "-optc-fopenmp", "-lgomp", "-outputdir", dir, "-o", exe, "-v0" ]
  (code, _, err) <- readProcessWithExitCode ghc args ""
  unless (code == ExitSuccess) $ die ("composition: building the libgomp peer failed:\n" ++ err)
  pure exe

findSources :: IO FilePath
findSources = do
  given <- lookupEnv "HSOMP_COMPOSE_SRC"
  let candidates = maybe [] pure given ++ [".", "compose", "haskell/compose"]
  found <- filterM (\d -> doesFileExist (d </> "ComposeWork.hs")) candidates
  case found of
    d : _ -> makeAbsolute d
    [] -> die "composition: cannot find ComposeWork.hs (set HSOMP_COMPOSE_SRC)"

findLibomp :: IO (Maybe FilePath)
findLibomp = do
  let dirs = ["/usr/lib/llvm-" ++ show v ++ "/lib" | v <- [19, 18 .. 11 :: Int]]
             ++ ["/usr/lib/x86_64-linux-gnu"]
  found <- filterM doesFileExist [d </> "libomp.so.5" | d <- dirs]
  pure (case found of f : _ -> Just f; [] -> Nothing)

report :: Opts -> M.Map (String, Int, String, String) [Double] -> [String] -> IO ()
report o res names = do
  printf "\nComposition: Haskell threads and OpenMP regions in one program; best ms of %d rounds x %d runs\n"
         (oRounds o) (oReps o)
  printf "%-10s %-3s %-4s | %s | %s | %s\n" "scenario" "-N" "GC"
         (intercalate " | " [printf "%9s" n :: String | n <- names])
         "hsomp throughput" "hsomp / better peer"
  ratios <- newIORef []
  forM_ [(s, n, g) | s <- oOnly o, n <- oCaps o, g <- ["par", "-qg"]] $ \(s, n, g) -> do
    let best nm = minimum <$> M.lookup (s, n, g, nm) res
        ts = map best names
        peers = [t | (nm, Just t) <- zip names ts, nm `elem` ["libgomp", "libomp"]]
        unit = maybe "" id (lookup s scenarios)
    case (best "hsomp", peers) of
      (Just h, _ : _) -> do
        let ratio = minimum peers / h
        modifyIORef' ratios ((s, ratio) :)
        printf "%-10s %-3d %-4s | %s | %12.0f %s | %.2f\n" s n g
               (intercalate " | " [maybe "        -" (printf "%9.1f") t | t <- ts])
               (workUnits s / h * 1000) unit ratio
      _ -> pure ()
  tagged <- readIORef ratios
  -- the issue's five scenarios (a)-(e), and "returns" (f) on its own
  let summary what rs = unless (null rs) $
        printf "hsomp / better peer%s: min %.2f, median %.2f, geometric mean %.2f over %d cells\n"
               (what :: String) (minimum rs) (sort rs !! (length rs `div` 2))
               (exp (sum (map log rs) / fromIntegral (length rs))) (length rs)
  summary "" [r | (s, r) <- tagged, s `notElem` ["returns", "callbacks-api"]]
  summary " (returns)" [r | (s, r) <- tagged, s == "returns"]
  -- callback entry cost against libgomp
  -- (callbacks-api: hsomp through HsOmp.Callback, the peers' "wrapper")
  forM_ [(c, n, g) | c <- ["callbacks", "callbacks-api"], n <- oCaps o, g <- ["par", "-qg"], c `elem` oOnly o] $ \(c, n, g) ->
    case (M.lookup (c, n, g, "hsomp") res, M.lookup (c, n, g, "libgomp") res) of
      (Just h, Just l) -> do
        let ns t = minimum t * 1e6 / workUnits c
        printf "callback entry%s -N%d %s: hsomp %.0f ns, libgomp %.0f ns, hsomp / libgomp %.2f\n"
               (if c == "callbacks" then "" else " (api)" :: String) n g (ns h) (ns l) (ns h / ns l)
      _ -> pure ()

-- | Per cell: the median wall time over the rounds of each runtime and the
-- ratio of medians against the better peer; the median CPU ms and context
-- switches of the runs (builds that do not print them: "-").
reportSpent :: Opts -> M.Map (String, Int, String, String) [Double]
            -> M.Map (String, Int, String, String) [(Double, Int)] -> [String] -> IO ()
reportSpent o res cpu names = do
  printf "\nMedians over %d rounds: wall ms; CPU ms (every thread) / context switches of a run\n"
         (oRounds o)
  printf "%-10s %-3s %-4s | %s | %s\n" "scenario" "-N" "GC"
         (intercalate " | " [printf "%21s" n :: String | n <- names]) "median ratio"
  forM_ [(s, n, g) | s <- oOnly o, n <- oCaps o, g <- ["par", "-qg"]] $ \(s, n, g) -> do
    let med xs = sort xs !! (length xs `div` 2)
        wall nm = med <$> M.lookup (s, n, g, nm) res
        spentOf nm = case M.lookup (s, n, g, nm) cpu of
          Just xs -> printf "%6.0f %6.0f/%6d" (maybe 0 id (wall nm)) (med (map fst xs)) (med (map snd xs))
          Nothing -> maybe "     -" (printf "%6.0f") (wall nm) ++ "               -"
        peers = [t | nm <- names, nm `elem` ["libgomp", "libomp"], Just t <- [wall nm]]
    case (wall "hsomp", peers) of
      (Just h, _ : _) ->
        printf "%-10s %-3d %-4s | %s | %.2f\n" s n g
               (intercalate " | " (map spentOf names)) (minimum peers / h)
      _ -> pure ()
