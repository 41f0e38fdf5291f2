-- Setup.hs -- builds the hsomp Haskell package.
--
-- The package compiles the C runtime of this repository (../src/*.c) into
-- the Haskell library itself.  Cabal's c-sources field cannot glob, and the
-- runtime grows a file at a time, so this Setup adds every ../src/*.c file
-- to the library's c-sources when the package is configured (plain
-- 'runghc Setup.hs configure' and 'cabal build' both go through here).
-- Everything else is Cabal's default build.
import Data.List (isSuffixOf, sort)
import Distribution.PackageDescription
import Distribution.Simple
import System.Directory (doesDirectoryExist, listDirectory)
import System.FilePath ((</>))

runtimeDir :: FilePath
runtimeDir = ".." </> "src"

main :: IO ()
main = defaultMainWithHooks simpleUserHooks { confHook = addRuntime }
  where
    addRuntime (gpd, hbi) flags = do
      found <- doesDirectoryExist runtimeDir
      if not found
        then fail ("hsomp: the C runtime is not at " ++ runtimeDir
                   ++ "; build this package from its place in the hsomp repository")
        else pure ()
      files <- sort . filter (".c" `isSuffixOf`) <$> listDirectory runtimeDir
      let srcs = map (runtimeDir </>) files
          addSrcs lib = lib { libBuildInfo = (libBuildInfo lib)
                                { cSources = cSources (libBuildInfo lib) ++ srcs } }
          gpd' = gpd { condLibrary = fmap (mapTreeData addSrcs) (condLibrary gpd) }
      confHook simpleUserHooks (gpd', hbi) flags
