-- | OpenMP from Haskell, on the program's own Capabilities.
--
-- This package compiles the hsomp OpenMP runtime (an implementation of
-- GCC's libgomp ABI) into your program.  OpenMP C code linked into the
-- program (compiled with @gcc -fopenmp@, or a library built against
-- libgomp) runs its parallel regions on hsomp's worker threads, which are
-- bound to your program's GHC Capabilities; there is one RTS and one thread
-- pool.
--
-- = Running OpenMP C from Haskell
--
-- Import the C function @safe@: the calling Haskell thread releases its
-- Capability while the region runs, so other Haskell threads (and GC) keep
-- going, and the OpenMP workers may use the Capabilities.
--
-- > // dot.c, compiled with cc-options: -fopenmp (never link -lgomp)
-- > double dot(const double *x, const double *y, long n) {
-- >   double s = 0;
-- >   #pragma omp parallel for reduction(+:s)
-- >   for (long i = 0; i < n; i++) s += x[i] * y[i];
-- >   return s;
-- > }
--
-- > foreign import ccall safe "dot" c_dot :: Ptr CDouble -> Ptr CDouble -> CLong -> IO CDouble
-- > main = withNumThreads 2 $ VS.unsafeWith xs $ \px -> VS.unsafeWith ys $ \py ->
-- >   c_dot px py (fromIntegral n) >>= print
--
-- Use @unsafe@ only for C that runs no region and is short: an unsafe call
-- keeps the Capability, stopping GC and the other Haskell threads on it.
--
-- = Haskell code on the OpenMP team
--
-- 'parallelFor' and 'parallelRegion' run Haskell bodies on OpenMP threads;
-- 'Callback's let OpenMP C code call Haskell.  See "HsOmp.Callback".
--
-- = Haskell vectors in OpenMP C, with no copy
--
-- 'withVectorPtr', 'withMVectorPtr' (Storable) and 'withPrimVectorPtr',
-- 'withPrimMVectorPtr' (primitive) give C a pointer into the vector's own
-- memory, kept alive for the call.  See "HsOmp.Array".
--
-- = Cheap calls
--
-- "HsOmp.Prim" reads the Capability and OpenMP thread numbers with no
-- foreign call; "HsOmp.Batch" makes many safe C calls for the price of one.
module HsOmp
  ( -- * Threads
    setNumThreads
  , maxThreads
  , numThreads
  , threadNum
  , numProcs
  , inParallel
  , withNumThreads
  , setDynamic
  , getDynamic
  , level
    -- * Schedules
  , Schedule (..)
  , setSchedule
  , getSchedule
    -- * Time
  , wtime
    -- * Locks
  , Lock
  , newLock
  , withLock
    -- * Capabilities
  , boundCapability
  , runtimeCapabilities
    -- * Deprecated names
  , workerCapability
  , numCapabilities
    -- * Haskell on the team (re-exported from "HsOmp.Callback")
  , parallelFor
  , parallelForN
  , parallelRegion
  , Callback
  , withCallback
  , callbackEntry
  , callbackEnv
    -- * Zero-copy arrays (re-exported from "HsOmp.Array")
  , module HsOmp.Array
  ) where

import Control.Concurrent (runInBoundThread)
import Control.Exception (bracket_)
import Foreign.ForeignPtr
import Foreign.Marshal.Alloc (alloca, finalizerFree, mallocBytes)
import Foreign.Storable (peek)

import HsOmp.Array
import HsOmp.Callback
import HsOmp.Raw
import HsOmp.Schedule

-- | Set the team size of the next regions started by the calling OS thread
-- (@omp_set_num_threads@).  OpenMP settings belong to OS threads: from a
-- Haskell thread that is not bound ('forkIO'), prefer 'withNumThreads'.
--
-- >>> setNumThreads 2
setNumThreads :: Int -> IO ()
setNumThreads = omp_set_num_threads . fromIntegral

-- | The team size the next region would get (@omp_get_max_threads@).
--
-- >>> maxThreads
-- 2
maxThreads :: IO Int
maxThreads = fromIntegral <$> omp_get_max_threads

-- | The size of the current team (1 outside a region).
--
-- >>> numThreads
-- 1
numThreads :: IO Int
numThreads = fromIntegral <$> omp_get_num_threads

-- | The calling thread's number in its team (0 outside a region).
--
-- >>> threadNum
-- 0
threadNum :: IO Int
threadNum = fromIntegral <$> omp_get_thread_num

-- | Processors available (@omp_get_num_procs@).
--
-- >>> numProcs
-- 2
numProcs :: IO Int
numProcs = fromIntegral <$> omp_get_num_procs

-- | True inside an active parallel region.
--
-- >>> inParallel
-- False
inParallel :: IO Bool
inParallel = (/= 0) <$> omp_in_parallel

-- | Run an action with the team size set to n for the regions it starts,
-- then restore the previous setting.
--
-- OpenMP keeps @nthreads-var@ per OS thread, while an unbound Haskell
-- thread may run each foreign call on a different OS thread.  So the action
-- runs in a bound thread ('runInBoundThread': the calling thread itself if
-- it is bound, like @main@), where setting, regions and restoring all
-- happen on one OS thread.
--
-- > withNumThreads 3 (c_kernel p n)   -- the kernel's regions use 3 threads
withNumThreads :: Int -> IO a -> IO a
withNumThreads n act = runInBoundThread $ do
  old <- omp_get_max_threads
  bracket_ (omp_set_num_threads (fromIntegral n)) (omp_set_num_threads old) act

-- | Enable or disable dynamic adjustment of team sizes.
--
-- >>> setDynamic False
setDynamic :: Bool -> IO ()
setDynamic b = omp_set_dynamic (if b then 1 else 0)

-- | Whether dynamic adjustment of team sizes is enabled.
--
-- >>> getDynamic
-- False
getDynamic :: IO Bool
getDynamic = (/= 0) <$> omp_get_dynamic

-- | The nesting level of the calling thread (@omp_get_level@).
--
-- >>> level
-- 0
level :: IO Int
level = fromIntegral <$> omp_get_level

-- | Set the schedule of @schedule(runtime)@ loops (@omp_set_schedule@).
-- 'Runtime' is not a value of that setting: it is rejected with an
-- 'IOError'.
--
-- >>> setSchedule (Dynamic 8)
setSchedule :: Schedule -> IO ()
setSchedule s = case toOmpSched s of
  Just (k, c) -> omp_set_schedule k c
  Nothing -> ioError (userError "HsOmp.setSchedule: Runtime is not a value of run-sched-var")

-- | The schedule of @schedule(runtime)@ loops (@omp_get_schedule@).
--
-- >>> getSchedule
-- Dynamic 8
getSchedule :: IO Schedule
getSchedule = alloca $ \pk -> alloca $ \pc -> do
  omp_get_schedule pk pc
  k <- peek pk
  c <- peek pc
  pure (maybe Static id (fromOmpSched k c))

-- | Wall-clock seconds (@omp_get_wtime@).
--
-- >>> t <- wtime
wtime :: IO Double
wtime = realToFrac <$> omp_get_wtime

-- | An OpenMP simple lock (@omp_lock_t@: 4 bytes, no other resources), its
-- memory freed when the lock is garbage.
newtype Lock = Lock (ForeignPtr OmpLock)

-- | A new, unset lock.
--
-- >>> l <- newLock
newLock :: IO Lock
newLock = do
  p <- mallocBytes 4
  omp_init_lock p
  Lock <$> newForeignPtr finalizerFree p

-- | Hold the lock while the action runs.  Waiting releases the
-- Capability (a safe call), so a Haskell thread waiting for a lock held by
-- an OpenMP thread does not stop the others.
--
-- > withLock l (modifyIORef r (+ 1))
withLock :: Lock -> IO a -> IO a
withLock (Lock fp) act = withForeignPtr fp $ \p ->
  bracket_ (omp_set_lock p) (omp_unset_lock p) act

-- | The Capability the calling OS thread is bound to: @Just c@ on an
-- OpenMP worker (bound to Capability @c@ for its life), 'Nothing' on a
-- thread bound to none, such as @main@ or a team's primary thread
-- (@hsomp_get_capability@).  Not the Capability that runs the calling
-- Haskell thread now: that is 'HsOmp.Prim.currentCapabilityPrim'.
--
-- >>> boundCapability
-- Nothing
boundCapability :: IO (Maybe Int)
boundCapability = (\c -> if c < 0 then Nothing else Just (fromIntegral c)) <$> hsomp_get_capability

-- | The number of GHC Capabilities the OpenMP runtime binds its workers
-- to (@hsomp_get_num_capabilities@): 'GHC.Conc.getNumCapabilities' as the
-- runtime last saw it.
--
-- >>> runtimeCapabilities
-- 2
runtimeCapabilities :: IO Int
runtimeCapabilities = fromIntegral <$> hsomp_get_num_capabilities

-- | Deprecated: 'boundCapability', with -1 for 'Nothing'.
workerCapability :: IO Int
workerCapability = fromIntegral <$> hsomp_get_capability
{-# DEPRECATED workerCapability "use boundCapability :: IO (Maybe Int) (README \"Names\")" #-}

-- | Deprecated name of 'runtimeCapabilities' (it clashed with the pure
-- 'GHC.Conc.numCapabilities').
numCapabilities :: IO Int
numCapabilities = runtimeCapabilities
{-# DEPRECATED numCapabilities "renamed runtimeCapabilities: GHC.Conc.numCapabilities is another thing (README \"Names\")" #-}
