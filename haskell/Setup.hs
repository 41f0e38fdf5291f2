-- Setup.hs -- builds the hsomp Haskell package.
--
-- The package compiles the C runtime (runtime/*.c) into the Haskell
-- library itself.  In the repository runtime/ is a symbolic link to ../src
-- (one copy of the runtime in git); `cabal sdist` follows the link and
-- stores the files, so the tarball carries its own runtime and builds
-- anywhere.  Cabal's c-sources field cannot glob, and the runtime grows a
-- file at a time, so this Setup adds every runtime/*.c file to the
-- library's c-sources: when the package is configured, and again before
-- each build and repl, because cabal-install does not reconfigure when a
-- file appears (extra-source-files' runtime/*.c glob only triggers a
-- rebuild).  extra-source-files also puts the runtime in the sdist.
-- Cabal recompiles a C file only when it is newer than its object, not
-- when a header changed, so before each build this Setup also deletes the
-- C objects older than the newest runtime/*.h, include/*.h or cbits/*.h.
--
-- Everything else is Cabal's default build.  The runtime is compiled with
-- -DHSOMP_NO_SYMBOL_VERSIONS (hsomp.cabal): a Haskell program links it
-- statically or as libHShsomp.so, and neither has libhsomp.so's version
-- script (Note [Symbol versions in the Haskell package] in ../src/lock.c).
import Data.List (isPrefixOf, isSuffixOf, sort)
import Distribution.PackageDescription
import Distribution.Simple
import Distribution.Simple.LocalBuildInfo (LocalBuildInfo (..))
import Control.Monad (forM_, when)
import Distribution.Simple.LocalBuildInfo (buildDir)
import System.Directory (doesDirectoryExist, getModificationTime, listDirectory, removeFile)
import System.FilePath (takeExtension, (</>))

runtimeDir :: FilePath
runtimeDir = "runtime"

-- The runtime's C files as they are now.
runtimeSources :: IO [FilePath]
runtimeSources = do
  found <- doesDirectoryExist runtimeDir
  if not found
    then fail ("hsomp: the C runtime is not at " ++ runtimeDir
               ++ " (in the repository: a link to ../src; in an sdist: the files)")
    else pure ()
  map (runtimeDir </>) . sort . filter (".c" `isSuffixOf`) <$> listDirectory runtimeDir

-- A library's build info with the runtime's files of now in its c-sources.
withRuntime :: [FilePath] -> Library -> Library
withRuntime srcs lib = lib { libBuildInfo = bi { cSources = own ++ srcs } }
  where
    bi = libBuildInfo lib
    own = filter (not . ((runtimeDir ++ "/") `isPrefixOf`)) (cSources bi)

refresh :: PackageDescription -> IO PackageDescription
refresh pd = do
  srcs <- runtimeSources
  pure pd { library = fmap (withRuntime srcs) (library pd) }

main :: IO ()
main = defaultMainWithHooks simpleUserHooks
  { confHook = \(gpd, hbi) flags -> do
      srcs <- runtimeSources
      let gpd' = gpd { condLibrary = fmap (mapTreeData (withRuntime srcs)) (condLibrary gpd) }
      confHook simpleUserHooks (gpd', hbi) flags
  , buildHook = \pd lbi hooks flags -> do
      pd' <- refresh pd
      dropStaleObjects (buildDir lbi)
      buildHook simpleUserHooks pd' lbi { localPkgDescr = pd' } hooks flags
  , replHook = \pd lbi hooks flags args -> do
      pd' <- refresh pd
      replHook simpleUserHooks pd' lbi { localPkgDescr = pd' } hooks flags args
  }

-- Delete the C objects (runtime/, cbits/ under the build directory) that
-- are older than the newest header of runtime/, include/ or cbits/.
dropStaleObjects :: FilePath -> IO ()
dropStaleObjects build = do
  headers <- concat <$> mapM (filesWith [".h"]) [runtimeDir, "include", "cbits"]
  when (not (null headers)) $ do
    newest <- maximum <$> mapM getModificationTime headers
    forM_ [build </> runtimeDir, build </> "cbits"] $ \d -> do
      objs <- filesWith [".o", ".dyn_o", ".p_o"] d
      forM_ objs $ \o -> do
        t <- getModificationTime o
        when (t < newest) (removeFile o)
  where
    filesWith exts d = do
      found <- doesDirectoryExist d
      if found
        then map (d </>) . filter ((`elem` exts) . takeExtension) <$> listDirectory d
        else pure []
