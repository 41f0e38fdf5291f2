-- Setup.hs -- builds the hsomp Haskell package.
--
-- The package compiles the C runtime of this repository (../src/*.c) into
-- the Haskell library itself.  Cabal's c-sources field cannot glob, and the
-- runtime grows a file at a time, so this Setup adds every ../src/*.c file
-- to the library's c-sources when the package is configured (plain
-- 'runghc Setup.hs configure' and 'cabal build' both go through here).
--
-- It also builds the library static only, whatever the project asks for:
-- the runtime's versioned lock symbols (.symver name@@OMP_3.0, Note [Lock
-- symbol versions] in ../src/lock.c) only link into a shared object with
-- libhsomp.so's version script, and a Haskell program links the runtime
-- statically anyway.  So a user's cabal.project needs no settings for
-- hsomp (the [cmm| |] quoter lives in hsomp-cmm, which is built shared
-- for GHC to load at splice time).
-- Everything else is Cabal's default build.
import Data.List (isSuffixOf, sort)
import Distribution.PackageDescription
import Distribution.Simple
import Distribution.Simple.LocalBuildInfo (LocalBuildInfo (..))
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
      lbi <- confHook simpleUserHooks (gpd', hbi) flags
      pure lbi { withSharedLib = False, withGHCiLib = False, withDynExe = False }
