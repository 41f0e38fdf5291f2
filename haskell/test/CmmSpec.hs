{-# LANGUAGE MagicHash #-}
{-# LANGUAGE UnboxedTuples #-}
-- | Tests of inline Cmm: quotes in this module (a package that uses
-- hsomp), the inline primitives of "HsOmp.Inline" against "HsOmp.Prim" and
-- @omp_get_thread_num@, the batched call (count, results, GC and other
-- threads running meanwhile), and compile errors: modules with a bad quote,
-- compiled by GHC, must fail with the quote's file and line.
module CmmSpec (cmmSpec) where

import Control.Concurrent
import Control.Exception (bracket, finally)
import Control.Monad
import Data.IORef
import Data.List (isInfixOf)
import Foreign.C.Types (CIntPtr (..), CLong (..))
import Foreign.Marshal.Alloc (free, malloc)
import Foreign.Ptr (FunPtr, Ptr, freeHaskellFunPtr, nullPtr)
import Foreign.Storable (peek, poke)
import GHC.Exts (Int (I#), (+#))
import GHC.IO (IO (IO))
import System.Directory
import System.Exit (ExitCode (..))
import System.FilePath ((</>))
import System.IO (hClose, openTempFile)
import System.Mem (performGC, performMinorGC)
import System.Process (CreateProcess (..), proc, readCreateProcessWithExitCode)
import System.Timeout (timeout)
import Test.Hspec

import HsOmp
import HsOmp.Inline
import HsOmp.Prim

import HsOmp.Cmm.Examples (addMul#, stackRoom#)

foreign import ccall "&cmm_test_tick" p_tick :: FunPtr (Ptr CLong -> IO CIntPtr)
foreign import ccall "&cmm_test_sleepy_tick" p_sleepy_tick :: FunPtr (Ptr CLong -> IO CIntPtr)
foreign import ccall "wrapper" mkCallback :: (Ptr () -> IO CIntPtr) -> IO (FunPtr (Ptr () -> IO CIntPtr))

-- | Fail instead of hanging.
within :: Int -> IO a -> IO a
within secs act = timeout (secs * 1000000) act >>= maybe (ioError (userError ("timed out after " ++ show secs ++ " s"))) pure

cmmSpec :: Spec
cmmSpec = describe "Inline Cmm ([cmm| |], HsOmp.Inline)" $ do
  quoteSpec
  inlinePrimSpec
  batchApplySpec
  compileErrorSpec

------------------------------------------------------------------------------
quoteSpec :: Spec
quoteSpec = describe "quotes in another package (HsOmp.Cmm.Examples)" $ do
  it "declares a pure primitive" $
    forM_ [(0, 0), (1, 2), (-5, 3), (1000000, 7)] $ \(I# x, I# y) ->
      I# (addMul# x y) `shouldBe` (I# x + I# y) * 3
  it "declares a State#-threading primitive (second signature of the quote)" $ do
    room <- IO (\s -> case stackRoom# s of (# s', n #) -> (# s', I# n #))
    room `shouldSatisfy` (> 0)
  it "a primitive's result is a real Int# (used in Haskell arithmetic)" $
    I# (addMul# 1# 1# +# 1#) `shouldBe` 7

------------------------------------------------------------------------------
inlinePrimSpec :: Spec
inlinePrimSpec = describe "inline primitives" $ do
  it "currentCapabilityInline agrees with HsOmp.Prim on every Capability" $ do
    caps <- getNumCapabilities
    forM_ [0 .. caps - 1] $ \c -> do
      v <- newEmptyMVar
      _ <- forkOn c $ do
        a <- currentCapabilityInline
        b <- currentCapabilityPrim
        (t, _) <- threadCapability =<< myThreadId
        putMVar v (a, b, t)
      within 30 (takeMVar v) `shouldReturn` (c, c, c)
  it "threadNumInline is 0 outside regions and the team member's number in callbacks" $ do
    threadNumInline `shouldReturn` 0
    forM_ [1, 2, 3, 8] $ \t -> replicateM_ 3 $ do
      seen <- newIORef []
      within 60 $ parallelRegion (Just t) $ \tid _ -> do
        a <- threadNumInline
        b <- threadNumPrim
        c <- threadNum
        atomicModifyIORef' seen (\s -> ((tid, a, b, c) : s, ()))
      rows <- readIORef seen
      length rows `shouldBe` t
      forM_ rows $ \(tid, a, b, c) -> (a, b, c) `shouldBe` (tid, tid, tid)
    threadNumInline `shouldReturn` 0
  it "both agree with HsOmp.Prim in parallelFor bodies" $ do
    bad <- newIORef (0 :: Int)
    bodies <- newIORef (0 :: Int)
    within 60 $ parallelForN (Just 3) (Dynamic 1) 0 300 $ \_ _ -> do
      a <- threadNumInline
      b <- threadNum
      c <- currentCapabilityInline
      d <- currentCapabilityPrim
      atomicModifyIORef' bodies (\n -> (n + 1, ()))
      when (a /= b || c /= d) $ atomicModifyIORef' bad (\n -> (n + 1, ()))
    readIORef bodies `shouldReturn` 300
    readIORef bad `shouldReturn` 0

------------------------------------------------------------------------------
batchApplySpec :: Spec
batchApplySpec = describe "batchApply (N C calls in one Capability release)" $ do
  it "calls exactly N times and returns the sum of the results" $
    withCounter $ \counter ->
      forM_ [0, 1, 2, 7, 1000, 100000] $ \n -> do
        poke counter 0
        r <- within 60 (batchApply p_tick counter n)
        c <- peek counter
        (r, c) `shouldBe` (n, fromIntegral n)
  it "a negative count makes no call" $
    withCounter $ \counter -> do
      batchApply p_tick counter (-3) `shouldReturn` 0
      peek counter `shouldReturn` 0
  it "lets the GC run while the batch runs (another thread's performGC completes)" $
    withCounter $ \counter -> do
      gcs <- newIORef (0 :: Int)
      stop <- newIORef False
      done <- newEmptyMVar
      started <- newEmptyMVar
      caps <- getNumCapabilities
      _ <- forkOn (1 `mod` caps) $ (`finally` putMVar done ()) $ do
        putMVar started ()
        let loop = do
              s <- readIORef stop
              unless s $ performGC >> atomicModifyIORef' gcs (\g -> (g + 1, ())) >> loop
        loop
      takeMVar started
      g0 <- readIORef gcs
      r <- within 60 (batchApply p_sleepy_tick counter 250)   -- >= 50 ms of C
      g1 <- readIORef gcs
      writeIORef stop True
      within 60 (takeMVar done)
      r `shouldBe` 250
      peek counter `shouldReturn` 250
      -- with the Capability held, a GC would wait for the batch: at most
      -- the one already under way could complete meanwhile
      (g1 - g0) `shouldSatisfy` (>= 3)
  it "calls back into Haskell from the batch, allocating and collecting, beside allocating threads" $ do
    calls <- newIORef (0 :: Int)
    stop <- newIORef False
    done <- newEmptyMVar
    _ <- forkIO $ (`finally` putMVar done ()) $
      let loop acc = do
            s <- readIORef stop
            unless s $ loop $! length (show [acc .. acc + 300 :: Int]) + acc `mod` 7
      in loop 0
    let body _ = do
          n <- atomicModifyIORef' calls (\c -> (c + 1, c + 1))
          when (n `mod` 100 == 0) performMinorGC
          when (n `mod` 500 == 0) performGC
          pure (fromIntegral (length (show [n .. n + 20])))
    r <- bracket (mkCallback body) freeHaskellFunPtr $ \fp ->
      within 120 (batchApply fp undefinedArg 2000) `finally` writeIORef stop True
    within 60 (takeMVar done)
    readIORef calls `shouldReturn` 2000
    r `shouldBe` sum [length (show [n .. n + 20]) | n <- [1 .. 2000 :: Int]]
  where
    withCounter :: (Ptr CLong -> IO a) -> IO a
    withCounter act = bracket malloc free $ \p -> poke p 0 >> act p
    undefinedArg :: Ptr ()
    undefinedArg = nullPtr

------------------------------------------------------------------------------
-- | Compile modules with GHC and look at its answer: the quoter's errors
-- must name the quote's file and line (and, for Cmm errors, the Cmm line).
compileErrorSpec :: Spec
compileErrorSpec = describe "compile errors point at the quote" $ do
  it "a good control module compiles (-fno-code, splices run)" $ withGhcDir $ \ghc dir -> do
    (code, err) <- ghc dir "Good.hs" goodModule
    (code, err) `shouldSatisfy` ((== ExitSuccess) . fst)
  it "a Cmm syntax error names the quote's file:line and the Cmm line" $ withGhcDir $ \ghc dir -> do
    (code, err) <- ghc dir "BadCmm.hs" badCmmModule
    code `shouldNotBe` ExitSuccess
    err `shouldSatisfy` ("BadCmm.hs:6:6: error:" `isInfixOf`)     -- the quote
    err `shouldSatisfy` ("BadCmm.hs:10:17: error: parse error" `isInfixOf`) -- the Cmm line
  it "a signature naming an unknown type names its line" $ withGhcDir $ \ghc dir -> do
    (code, err) <- ghc dir "BadSig.hs" badSigModule
    code `shouldNotBe` ExitSuccess
    err `shouldSatisfy` ("BadSig.hs:4:6: error:" `isInfixOf`)
    err `shouldSatisfy` ("BadSig.hs:5: in the signature of f#: type Nope# is not in scope" `isInfixOf`)
  it "an assembler error names the quote's line of the symbol, not GHC's temporary .s file" $ withGhcDir $ \ghc dir -> do
    (code, err) <- ghc dir "BadAsm.hs" badAsmModule
    code `shouldNotBe` ExitSuccess
    err `shouldSatisfy` ("BadAsm.hs:4:6: error:" `isInfixOf`)
    err `shouldSatisfy` ("the assembler rejected the code GHC made from this quote" `isInfixOf`)
    err `shouldSatisfy` ("BadAsm.hs:7: symbol `helper' is already defined" `isInfixOf`)
  it "a quote without the procedure of its signature is rejected" $ withGhcDir $ \ghc dir -> do
    (code, err) <- ghc dir "NoProc.hs" noProcModule
    code `shouldNotBe` ExitSuccess
    err `shouldSatisfy` ("NoProc.hs:5: the Cmm of this quote defines no procedure named f#" `isInfixOf`)

-- | Run an action with a fresh temporary directory and a function that
-- writes a module there and compiles it with @ghc -fno-code@ against the
-- quoter's source (hsomp-cmm/src, relative to the package directory, the
-- test's working directory).
withGhcDir :: ((FilePath -> FilePath -> String -> IO (ExitCode, String)) -> FilePath -> IO a) -> IO a
withGhcDir act = do
  let src = "hsomp-cmm" </> "src"
  found <- doesFileExist (src </> "HsOmp" </> "Cmm.hs")
  unless found $ expectationFailure "run the test-suite from the package directory (haskell/): hsomp-cmm/src not found"
  srcAbs <- makeAbsolute src
  tmp <- getTemporaryDirectory
  bracket (newTempDir tmp) removePathForcibly $ \dir -> do
    let compile d name text = do
          writeFile (d </> name) text
          (code, out, err) <- readCreateProcessWithExitCode
            (proc "timeout" ["300", "ghc", "-fno-code", "-package-env", "-", "-i" ++ srcAbs,
                             "-outputdir", d </> "out", name]) { cwd = Just d } ""
          pure (code, out ++ err)
    act compile dir
  where
    newTempDir tmp = do
      (path, h) <- openTempFile tmp "hsomp-cmmspec"
      hClose h
      removeFile path
      createDirectory path
      pure path

header :: String
header = "{-# LANGUAGE TemplateHaskell, QuasiQuotes, GHCForeignImportPrim, MagicHash, UnboxedTuples, UnliftedFFITypes #-}\n"

goodModule, badCmmModule, badSigModule, badAsmModule, noProcModule :: String
goodModule = header ++ unlines
  [ "module Good where"
  , "import HsOmp.Cmm (cmm)"
  , ""
  , "[cmm|"
  , "f# :: Int# -> Int# -> Int#"
  , "f# (W_ x, W_ y)"
  , "{"
  , "    return (x + y);"
  , "}"
  , "|]" ]
badCmmModule = header ++ unlines
  [ "module BadCmm where"                       -- line 2
  , "import HsOmp.Cmm (cmm)"                    -- 3
  , ""                                          -- 4
  , "-- the quote starts on line 6"             -- 5
  , "[cmm|"                                     -- 6
  , "f# :: Int# -> Int# -> Int#"                -- 7
  , "f# (W_ x, W_ y)"                           -- 8
  , "{"                                         -- 9
  , "    return (x + );"                        -- 10: the error, column 17
  , "}"
  , "|]" ]
badSigModule = header ++ unlines
  [ "module BadSig where"                       -- 2
  , "import HsOmp.Cmm (cmm)"                    -- 3
  , "[cmm|"                                     -- 4
  , "f# :: Int# -> Nope# -> Int#"               -- 5
  , "f# (W_ x, W_ y) { return (x + y); }"
  , "|]" ]
badAsmModule = header ++ unlines
  [ "module BadAsm where"                       -- 2
  , "import HsOmp.Cmm (cmm)"                    -- 3
  , "[cmm|"                                     -- 4
  , "f# :: Int# -> Int#"                        -- 5
  , "helper (W_ x) { return (x); }"             -- 6
  , "helper (W_ x) { return (x + 1); }"         -- 7: defined twice, which only the assembler sees
  , "f# (W_ x) { return (x); }"
  , "|]" ]
noProcModule = header ++ unlines
  [ "module NoProc where"                       -- 2
  , "import HsOmp.Cmm (cmm)"                    -- 3
  , "[cmm|"                                     -- 4
  , "f# :: Int# -> Int#"                        -- 5
  , "g# (W_ x) { return (x); }"
  , "|]" ]
