-- Setup.hs -- builds the hsomp Haskell package.
--
-- The package compiles the C runtime (runtime/*.c) into the Haskell
-- library itself.  In the repository runtime/ is a symbolic link to ../src
-- (one copy of the runtime in git); `cabal sdist` follows the link and
-- stores the files, so the tarball carries its own runtime and builds
-- anywhere.  Cabal's c-sources field cannot glob, and the runtime grows a
-- file at a time, so this Setup adds every runtime/*.c file to the
-- library's c-sources when the package is configured (plain
-- 'runghc Setup.hs configure' and 'cabal build' both go through here);
-- extra-source-files (runtime/*.c, runtime/*.h) puts them in the sdist and
-- makes cabal rebuild when one changes.
--
-- Everything else is Cabal's default build.  The runtime is compiled with
-- -DHSOMP_NO_SYMBOL_VERSIONS (hsomp.cabal): a Haskell program links it
-- statically or as libHShsomp.so, and neither has libhsomp.so's version
-- script (Note [Symbol versions in the Haskell package] in ../src/lock.c).
import Data.List (isSuffixOf, sort)
import Distribution.PackageDescription
import Distribution.Simple
import System.Directory (doesDirectoryExist, listDirectory)
import System.FilePath ((</>))

runtimeDir :: FilePath
runtimeDir = "runtime"

main :: IO ()
main = defaultMainWithHooks simpleUserHooks { confHook = addRuntime }
  where
    addRuntime (gpd, hbi) flags = do
      found <- doesDirectoryExist runtimeDir
      if not found
        then fail ("hsomp: the C runtime is not at " ++ runtimeDir
                   ++ " (in the repository: a link to ../src; in an sdist: the files)")
        else pure ()
      files <- sort . filter (".c" `isSuffixOf`) <$> listDirectory runtimeDir
      let srcs = map (runtimeDir </>) files
          addSrcs lib = lib { libBuildInfo = (libBuildInfo lib)
                                { cSources = cSources (libBuildInfo lib) ++ srcs } }
          gpd' = gpd { condLibrary = fmap (mapTreeData addSrcs) (condLibrary gpd) }
      confHook simpleUserHooks (gpd', hbi) flags
