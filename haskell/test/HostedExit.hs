{-# LANGUAGE ForeignFunctionInterface #-}
-- | A C program that hosts Haskell (test/cbits/hosted_exit.c, linked with
-- -no-hs-main) and ends it with hs_exit() itself, after OpenMP worker
-- threads called back into Haskell through "HsOmp.Callback" and so started
-- their callback servers (Note [A Haskell server per OpenMP thread],
-- cbits/hs_server.c).  GHC's hs_exit waits for every thread in a safe
-- foreign call, where an idle server waits; CallbackServerSpec runs this
-- program under a timeout.
module Main (main) where

import Foreign.C.Types
import Foreign.Marshal.Array
import Foreign.Ptr
import Foreign.Storable

import HsOmp.Callback
import Kernels

-- | Every thread of a team of @t@ calls back @per@ times, twice over (the
-- workers' servers serve both regions); the calls counted, in all.
hostedCallbacks :: CInt -> CLong -> IO CLong
hostedCallbacks t per = do
  a <- once
  b <- once
  pure (a + b)
  where
    n = fromIntegral t
    once = allocaArray (3 * n) $ \slots -> do
      pokeArray slots (replicate (3 * n) 0)
      withCallback count $ \cb ->
        c_callbacks t (castFunPtr (callbackEntry cb)) (callbackEnv cb) per slots
      rows <- peekArray (3 * n) slots
      pure (sum [rows !! (3 * i + 1) | i <- [0 .. n - 1]])
    count :: Ptr CLong -> IO ()
    count q = do
      c <- peekElemOff q 1
      pokeElemOff q 1 (c + 1)

-- | How many callback servers have started so far.
hostedServers :: IO CLong
hostedServers = fromIntegral <$> callbackServersStarted

foreign export ccall "hosted_callbacks" hostedCallbacks :: CInt -> CLong -> IO CLong
foreign export ccall "hosted_servers" hostedServers :: IO CLong

-- | Unused: the program's main is C's (-no-hs-main).
main :: IO ()
main = pure ()
