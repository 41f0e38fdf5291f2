{-# LANGUAGE TemplateHaskell, QuasiQuotes, GHCForeignImportPrim #-}
{-# LANGUAGE MagicHash, UnboxedTuples, UnliftedFFITypes #-}
-- | A user's program: a Storable vector handed to OpenMP C with no copy,
-- a slice loop, and an inline Cmm primitive.  Prints one line and exits 1
-- unless every result is right.
module Main (main) where

import Foreign.C.Types (CInt (..), CLong (..))
import Foreign.Marshal.Alloc (alloca)
import Foreign.Ptr (Ptr)
import Foreign.Storable (peek)
import GHC.Exts (Int (I#), Int#)
import System.Exit (exitFailure)
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp
import HsOmp.Cmm (cmm)
import qualified HsOmp.Slice as S

foreign import ccall safe "vsum" c_vsum :: Ptr Double -> CLong -> Ptr CInt -> IO Double

[cmm|
addTwo# :: Int# -> Int# -> Int#
addTwo# (W_ x, W_ y)
{
    return (x + y);
}
|]

main :: IO ()
main = do
  let n = 1000000 :: Int
      v = VS.generate n fromIntegral :: VS.Vector Double
  (s, team) <- withVectorPtr v $ \p -> alloca $ \pteam -> do
    r <- c_vsum p (fromIntegral n) pteam
    t <- peek pteam
    pure (r, t)
  mv <- VS.thaw v
  S.parallelSlices_ (S.split (Dynamic 4096)) mv $ \sl ->
    S.forSlice sl $ \i -> S.modify sl i (* 2)
  doubled <- VSM.foldl' (+) 0 mv
  let expected = fromIntegral (n * (n - 1) `div` 2) :: Double
      ok = s == expected && doubled == 2 * expected && I# (addTwo# 40# 2#) == 42 && team >= 1
  putStrLn ("user-app: OpenMP C sum " ++ show s ++ " on a team of " ++ show team
            ++ ", slice loop sum " ++ show doubled ++ ", inline Cmm 40+2 = " ++ show (I# (addTwo# 40# 2#))
            ++ (if ok then ": ok" else ": WRONG"))
  if ok then pure () else exitFailure
