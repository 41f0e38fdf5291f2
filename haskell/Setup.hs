-- Setup.hs -- builds the hsomp Haskell package.
--
-- The package compiles the C runtime (runtime/*.c, runtime/*/*.c) into the Haskell
-- library itself.  In the repository runtime/ is a symbolic link to ../src
-- (one copy of the runtime in git); `cabal sdist` follows the link and
-- stores the files, so the tarball carries its own runtime and builds
-- anywhere.  Cabal's c-sources field cannot glob, and the runtime grows a
-- file at a time, so this Setup adds every C file of runtime/ and its
-- folders to the library's c-sources, and the folders to its include-dirs:
-- when the package is configured, and again before
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
-- script (Note [Symbol versions in the Haskell package] in ../src/sync/lock.c).
import Data.List (isPrefixOf, isSuffixOf, sort)
import Distribution.PackageDescription
import Distribution.Simple
import Distribution.Simple.LocalBuildInfo (LocalBuildInfo (..))
import Control.Monad (filterM, forM_, when)
import Distribution.Simple.LocalBuildInfo (buildDir)
import System.Directory (doesDirectoryExist, getModificationTime, listDirectory, removeFile)
import System.FilePath (takeExtension, (</>))

runtimeDir :: FilePath
runtimeDir = "runtime"

-- The runtime's C files as they are now (runtime/*.c and the files of its
-- folders, runtime/*/*.c), and its folders (runtime and runtime/*): the
-- runtime includes its internal headers by name alone, so every folder is
-- on the include path (as in CMakeLists.txt).
runtimeLayout :: IO ([FilePath], [FilePath])
runtimeLayout = do
  found <- doesDirectoryExist runtimeDir
  if not found
    then fail ("hsomp: the C runtime is not at " ++ runtimeDir
               ++ " (in the repository: a link to ../src; in an sdist: the files)")
    else pure ()
  entries <- map (runtimeDir </>) . sort <$> listDirectory runtimeDir
  dirs <- filterM doesDirectoryExist entries
  nested <- mapM (\d -> map (d </>) . sort <$> listDirectory d) dirs
  let cFiles = filter (".c" `isSuffixOf`) (entries ++ concat nested)
  pure (cFiles, runtimeDir : dirs)

-- A library's build info with the runtime's files and folders of now in
-- its c-sources and include-dirs.
withRuntime :: ([FilePath], [FilePath]) -> Library -> Library
withRuntime (srcs, dirs) lib =
  lib { libBuildInfo = bi { cSources = own ++ srcs, includeDirs = ownDirs ++ dirs } }
  where
    bi = libBuildInfo lib
    inRuntime f = f == runtimeDir || (runtimeDir ++ "/") `isPrefixOf` f
    own = filter (not . inRuntime) (cSources bi)
    ownDirs = filter (not . inRuntime) (includeDirs bi)

refresh :: PackageDescription -> IO PackageDescription
refresh pd = do
  layout <- runtimeLayout
  pure pd { library = fmap (withRuntime layout) (library pd) }

main :: IO ()
main = defaultMainWithHooks simpleUserHooks
  { confHook = \(gpd, hbi) flags -> do
      layout <- runtimeLayout
      let gpd' = gpd { condLibrary = fmap (mapTreeData (withRuntime layout)) (condLibrary gpd) }
      confHook simpleUserHooks (gpd', hbi) flags
  , buildHook = \pd lbi hooks flags -> do
      pd' <- refresh pd
      dropStaleObjects (buildDir lbi)
      buildHook simpleUserHooks pd' lbi { localPkgDescr = pd' } hooks flags
  , replHook = \pd lbi hooks flags args -> do
      pd' <- refresh pd
      replHook simpleUserHooks pd' lbi { localPkgDescr = pd' } hooks flags args
  }

-- Delete the C objects (runtime/ and its folders, cbits/ under the build
-- directory) that are older than the newest header of runtime/ (and its
-- folders), include/ or cbits/.
dropStaleObjects :: FilePath -> IO ()
dropStaleObjects build = do
  (_, dirs) <- runtimeLayout
  headers <- concat <$> mapM (filesWith [".h"]) (dirs ++ ["include", "cbits"])
  when (not (null headers)) $ do
    newest <- maximum <$> mapM getModificationTime headers
    forM_ (map (build </>) (dirs ++ ["cbits"])) $ \d -> do
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
