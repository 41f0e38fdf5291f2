{-# LANGUAGE InterruptibleFFI #-}
{-# LANGUAGE ScopedTypeVariables #-}
-- | OpenMP threads calling Haskell: callbacks for C code, a parallel for
-- whose body is Haskell, and a parallel region whose threads run Haskell.
--
-- A 'Callback' entered from an OpenMP thread that calls back repeatedly
-- (every worker of hsomp; the primary thread of a team from its second
-- call in the region on) runs on that thread's /callback server/: one
-- persistent Haskell thread per OpenMP thread, which waits in a safe
-- foreign call between callbacks, so that a callback creates no Haskell
-- thread (see Note [A Haskell server per OpenMP thread] in
-- @cbits/hs_server.c@).  Other entries are the RTS's own (take a
-- Capability, run a new Haskell thread, give the Capability back), without
-- the adjustor of a @\"wrapper\"@ 'FunPtr'; a worker thread of hsomp asks
-- for the Capability it was bound to when it started.  A callback running
-- on a server sees the server's 'Control.Concurrent.myThreadId', the same
-- for every callback of that OpenMP thread.  The parallel for keeps the Capability
-- from one chunk to the next on each thread, so a chunk costs one Haskell
-- thread creation and no Capability hand-over (see Note [Entering Haskell
-- from an OpenMP thread] in @cbits/hs_callback.c@).
--
-- Exceptions thrown by Haskell code run on an OpenMP thread are caught
-- there and re-thrown, the first one, in the Haskell thread that started the
-- region (or that brackets the callback with 'withCallback').
--
-- >>> import Data.IORef
-- >>> r <- newIORef (0 :: Int)
-- >>> parallelFor (Dynamic 100) 0 10000 (\lo hi -> atomicModifyIORef' r (\s -> (s + sum [lo .. hi - 1], ())))
-- >>> readIORef r
-- 49995000
module HsOmp.Callback
  ( -- * Parallel for with a Haskell body
    parallelFor
  , parallelForN
    -- * Parallel region with a Haskell body
  , parallelRegion
  , teamSizeArg
    -- * Callbacks for C code
  , Callback
  , CallbackEntry
  , newCallback
  , freeCallback
  , withCallback
  , callbackEntry
  , callbackEnv
  , callbackRethrow
  , callbackServersStarted
    -- * The standard alternative
  , newWrapperCallback
  ) where

import Control.Exception (AsyncException (..), ErrorCall (..), SomeException, allowInterrupt, bracket, catch, evaluate, throwIO)
import Control.Monad (when)
import Data.IORef
import Foreign.C.Types (CInt (..), CLong (..), CUInt (..))
import Foreign.Ptr (FunPtr, Ptr)
import Foreign.StablePtr
import Foreign.Storable (peekByteOff, sizeOf)
import System.IO.Unsafe (unsafePerformIO)

import HsOmp.Schedule

-- interruptible: see Note [Interrupting a Haskell parallel for] in
-- cbits/hs_parfor.c.  Returns 1 if chunks were skipped.  The body of both
-- is a job as a callback server runs it ('pairJob'): Note [Callbacks beside
-- a busy Haskell thread] in cbits/hs_server.c.
foreign import ccall interruptible "hsomp_hs_parallel_for"
  c_parallel_for :: StablePtr (Ptr () -> IO ()) -> CLong -> CLong -> CInt -> CLong -> CUInt -> IO CInt

foreign import ccall safe "hsomp_hs_parallel"
  c_parallel :: StablePtr (Ptr () -> IO ()) -> CUInt -> IO ()

-- | The C entry point behind every 'Callback': @void hsomp_hs_call(void
-- *env, void *arg)@.
foreign import ccall "&hsomp_hs_call"
  c_hs_call :: CallbackEntry a

foreign import ccall unsafe "hsomp_hs_server_set_loop"
  c_server_set_loop :: StablePtr (Ptr () -> IO ()) -> IO ()

-- safe: the server waits here, holding no Capability, between jobs
-- (Note [A Haskell server per OpenMP thread] in cbits/hs_server.c)
foreign import ccall safe "hsomp_hs_server_next"
  c_server_next :: Ptr () -> CInt -> IO CInt

-- | The loop of a callback server: run the job its C side put at offsets
-- 0 (the function's 'StablePtr') and 8 (the argument), hand the result
-- back and wait for the next job, until told to end.  The jobs are
-- 'newCallback's functions, which catch their own exceptions; an exception
-- that reaches the loop (an asynchronous one, delivered when the wait
-- returns) ends the server.
--
-- The handler is the thread's bottom frame: GHC's code after a safe call
-- continues at the top frame of the stack, which must not be the thread's
-- end when an exception was raised as the call returned.
serverLoop :: Ptr () -> IO ()
serverLoop server = loop `catch` \(_ :: SomeException) -> pure ()
  where
    loop = do
      fn <- peekByteOff server 0 :: IO (StablePtr (Ptr () -> IO ()))
      arg <- peekByteOff server (sizeOf server)
      f <- deRefStablePtr fn
      f arg
      more <- c_server_next server 1
      when (more /= 0) loop

-- | Hands 'serverLoop' to the C side, once per program.
serversReady :: ()
serversReady = unsafePerformIO (newStablePtr serverLoop >>= c_server_set_loop)
{-# NOINLINE serversReady #-}

-- | How many callback servers (one per OpenMP thread that calls back
-- repeatedly, see 'newCallback') have started so far, in all threads.
--
-- >>> (>= 0) <$> callbackServersStarted
-- True
callbackServersStarted :: IO Int
callbackServersStarted = fromIntegral <$> c_servers_started

-- Marks the thread's current server job as started (user code is about to
-- run under its exception handler): a server that ends before that point
-- leaves the job to the ordinary entry.
foreign import ccall unsafe "hsomp_hs_server_job_started"
  c_server_job_started :: IO ()

foreign import ccall unsafe "hsomp_hs_servers_started"
  c_servers_started :: IO CLong

foreign import ccall "wrapper"
  mkWrapper :: (Ptr a -> IO ()) -> IO (FunPtr (Ptr a -> IO ()))

-- | Runs an action, recording its exception (the first of all the actions
-- sharing the reference) instead of letting it escape into C.
guarded :: IORef (Maybe SomeException) -> IO () -> IO ()
guarded ref act = act `catch` \e ->
  atomicModifyIORef' ref (\old -> (maybe (Just e) Just old, ()))

rethrowFirst :: IORef (Maybe SomeException) -> IO ()
rethrowFirst ref = readIORef ref >>= maybe (pure ()) throwIO

-- | @parallelFor sched lo hi body@ runs @body l h@ for chunks @[l, h)@ that
-- together cover @[lo, hi)@ exactly once, on a team of OpenMP threads (the
-- size the next region would get: 'HsOmp.maxThreads').  Haskell is entered
-- once per chunk; the chunks are the schedule's: 'Static' gives each thread
-- one block, @'Dynamic' n@ hands out n iterations at a time, and so on.  The
-- call returns when every chunk is done; the first exception a chunk threw is
-- re-thrown then.  The calling Haskell thread waits in a safe foreign call,
-- so other Haskell threads keep running.
--
-- __Interruptible__: an asynchronous exception to the calling thread
-- ('Control.Concurrent.killThread', 'System.Timeout.timeout', Ctrl-C's
-- @UserInterrupt@ to the main thread) stops the loop: the chunks already
-- running finish, the others are skipped, and the exception is re-thrown
-- here.  Under 'Control.Exception.uninterruptibleMask' the loop runs to its
-- end first.  When the program exits while loops run in other threads, they
-- stop at once, quietly (their threads end with 'ThreadKilled').
--
-- > v <- VM.replicate 1000 (0 :: Int)
-- > parallelFor (Dynamic 16) 0 1000 (\lo hi -> mapM_ (\i -> VM.write v i (i * i)) [lo .. hi - 1])
parallelFor :: Schedule -> Int -> Int -> (Int -> Int -> IO ()) -> IO ()
parallelFor = parallelForN Nothing

-- | 'parallelFor' on a team of @n@ threads for @'Just' n@, of the default
-- size ('HsOmp.maxThreads') for 'Nothing'.  @'Just' n@ with @n < 1@ is
-- refused with an 'ErrorCall' (see 'teamSizeArg').
--
-- > parallelForN (Just 3) (Guided 8) 0 1000 (\lo hi -> print (lo, hi))
parallelForN :: Maybe Int -> Schedule -> Int -> Int -> (Int -> Int -> IO ()) -> IO ()
parallelForN team sched lo hi body = do
  nthreads <- teamSizeArg team
  if hi <= lo then pure () else do
      errs <- newIORef Nothing
      evaluate serversReady
      let run = pairJob errs body
          (code, chunk) = case sched of
            Static -> (0, 0)
            Auto -> (0, 0)
            StaticChunk n -> (0, n)
            Dynamic n -> (1, n)
            Guided n -> (2, n)
            Runtime -> (3, 0)
      stopped <- bracket (newStablePtr run) freeStablePtr $ \sp ->
        c_parallel_for sp (fromIntegral lo) (fromIntegral hi) code (fromIntegral chunk)
                       nthreads
      -- Chunks were skipped: an asynchronous exception is pending for this
      -- thread (raise it here), or chunks could not enter Haskell because
      -- the RTS is shutting down (the program is ending: this thread ends
      -- as the RTS ends the others, with ThreadKilled, which forkIO's
      -- handler does not print).
      when (stopped /= 0) $ do
        allowInterrupt
        throwIO ThreadKilled
      rethrowFirst errs

-- | @parallelRegion team body@ starts an OpenMP parallel region of @n@
-- threads for @'Just' n@ (of the default size for 'Nothing') and runs
-- @body tid nthreads@ on every thread of the team, with its thread number
-- and the team size.
--
-- >>> import Data.IORef
-- >>> seen <- newIORef ([] :: [(Int, Int)])
-- >>> parallelRegion (Just 2) (\t n -> atomicModifyIORef' seen (\ts -> ((t, n) : ts, ())))
-- >>> Data.List.sort <$> readIORef seen
-- [(0,2),(1,2)]
parallelRegion :: Maybe Int -> (Int -> Int -> IO ()) -> IO ()
parallelRegion team body = do
  nthreads <- teamSizeArg team
  errs <- newIORef Nothing
  evaluate serversReady
  bracket (newStablePtr (pairJob errs body)) freeStablePtr $ \sp ->
    c_parallel sp nthreads
  rethrowFirst errs

-- | A body of two Ints as a job for the C side (hs_parfor.c): it reads
-- them from the two C longs at its argument, and marks its start for the
-- thread's callback server as 'newCallback's functions do.
pairJob :: IORef (Maybe SomeException) -> (Int -> Int -> IO ()) -> Ptr () -> IO ()
pairJob errs body p = guarded errs $ do
  c_server_job_started
  a <- peekByteOff p 0 :: IO CLong
  b <- peekByteOff p (sizeOf a) :: IO CLong
  body (fromIntegral a) (fromIntegral b)

-- | The team size to hand to the runtime's @num_threads@: 0 (the default
-- size) for 'Nothing', @n@ for @'Just' n@.  A team has at least one thread,
-- so @'Just' n@ with @n < 1@ throws an 'ErrorCall' saying so (before
-- anything runs); a size beyond the runtime's thread limit is cut to it by
-- the runtime, as @num_threads@ is in C.
--
-- >>> teamSizeArg (Just 3)
-- 3
-- >>> teamSizeArg Nothing
-- 0
-- >>> teamSizeArg (Just 0)
-- *** Exception: HsOmp: team size Just 0: a team has at least 1 thread (Nothing: the default size)
teamSizeArg :: Maybe Int -> IO CUInt
teamSizeArg Nothing = pure 0
teamSizeArg (Just n)
  | n < 1 = throwIO (ErrorCall ("HsOmp: team size Just " ++ show n
                                ++ ": a team has at least 1 thread (Nothing: the default size)"))
  | otherwise = pure (fromIntegral (min n (fromIntegral (maxBound :: CInt))))

-- | The C type of the function that runs a 'Callback':
-- @void (*)(void *env, void *arg)@, called with 'callbackEnv'.
type CallbackEntry a = FunPtr (Ptr () -> Ptr a -> IO ())

-- | A Haskell function that C code, on any OpenMP thread, may call through
-- 'callbackEntry' and 'callbackEnv'.
data Callback a = Callback
  { cbStable :: !(StablePtr (Ptr a -> IO ()))
  , cbErrors :: !(IORef (Maybe SomeException))
  }

-- | Make a callback.  Free it with 'freeCallback' (or use 'withCallback').
--
-- > cb <- newCallback (\p -> poke (castPtr p) (42 :: CInt))
newCallback :: (Ptr a -> IO ()) -> IO (Callback a)
newCallback f = do
  evaluate serversReady
  errs <- newIORef Nothing
  sp <- newStablePtr (\p -> guarded errs (c_server_job_started >> f p))
  pure (Callback sp errs)

-- | Release a callback.  C code must not call it afterwards.
--
-- > freeCallback cb
freeCallback :: Callback a -> IO ()
freeCallback = freeStablePtr . cbStable

-- | Re-throw the first exception the callback threw so far, if any.
--
-- > callbackRethrow cb
callbackRethrow :: Callback a -> IO ()
callbackRethrow = rethrowFirst . cbErrors

-- | Bracket a callback: make it, run the action (which hands it to C), free
-- it, and re-throw the first exception it threw while C called it.
--
-- > withCallback (\p -> ...) (\cb -> c_kernel (callbackEntry cb) (callbackEnv cb))
withCallback :: (Ptr a -> IO ()) -> (Callback a -> IO r) -> IO r
withCallback f act =
  bracket (newCallback f) freeCallback $ \cb -> do
    r <- act cb
    callbackRethrow cb
    pure r

-- | The C function that runs a callback: @entry(env, arg)@ runs the Haskell
-- function on @arg@.  Callable from any thread, inside or outside regions.
--
-- > callbackEntry cb
callbackEntry :: Callback a -> CallbackEntry a
callbackEntry _ = c_hs_call

-- | The environment pointer to pass to 'callbackEntry'.
--
-- > callbackEnv cb
callbackEnv :: Callback a -> Ptr ()
callbackEnv = castStablePtrToPtr . cbStable

-- | The standard way to hand Haskell to C: a @foreign import ccall
-- \"wrapper\"@ 'FunPtr' (free it with 'Foreign.Ptr.freeHaskellFunPtr').
-- Kept for comparison: each call goes through an adjustor and takes and
-- releases a Capability.  Exceptions are not caught.
--
-- > fp <- newWrapperCallback (\p -> ...)
newWrapperCallback :: (Ptr a -> IO ()) -> IO (FunPtr (Ptr a -> IO ()))
newWrapperCallback = mkWrapper
