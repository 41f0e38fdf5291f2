{-# LANGUAGE CApiFFI #-}
-- | Direct bindings to the OpenMP runtime library API (@omp_*@), with the C
-- types of @omp.h@.  The runtime is the one compiled into this package, so
-- these calls reach the same thread pool as every OpenMP C function linked
-- into the program.
--
-- Queries and setters are imported @unsafe@: they never block and never call
-- back into Haskell, so the cheap calling convention is correct.  Calls that
-- may block (setting a lock) are imported @safe@, so the calling Capability is
-- released while they wait.
--
-- >>> omp_set_num_threads 2
-- >>> omp_get_max_threads
-- 2
--
-- For a Haskell-friendly interface (Int, sum types, bracketing) use "HsOmp".
module HsOmp.Raw
  ( -- * Threads and teams
    omp_set_num_threads
  , omp_get_num_threads
  , omp_get_max_threads
  , omp_get_thread_num
  , omp_get_num_procs
  , omp_in_parallel
  , omp_set_dynamic
  , omp_get_dynamic
  , omp_get_thread_limit
  , omp_set_max_active_levels
  , omp_get_max_active_levels
  , omp_get_level
  , omp_get_active_level
  , omp_get_ancestor_thread_num
  , omp_get_team_size
    -- * Schedules
  , OmpSched
  , omp_sched_static, omp_sched_dynamic, omp_sched_guided, omp_sched_auto
  , omp_sched_monotonic
  , omp_set_schedule
  , omp_get_schedule
    -- * Timing
  , omp_get_wtime
  , omp_get_wtick
    -- * Locks
  , OmpLock
  , OmpNestLock
  , omp_init_lock, omp_destroy_lock, omp_set_lock, omp_unset_lock, omp_test_lock
  , omp_init_nest_lock, omp_destroy_nest_lock, omp_set_nest_lock, omp_unset_nest_lock
  , omp_test_nest_lock
    -- * hsomp extensions
  , hsomp_get_capability
  , hsomp_get_num_capabilities
  ) where

import Foreign.C.Types (CDouble (..), CInt (..))
import Foreign.Ptr (Ptr)

-- | The number of threads the next parallel region without a
-- @num_threads@ clause uses (@nthreads-var@ of the calling task).
--
-- >>> omp_set_num_threads 3 >> omp_get_max_threads
-- 3
foreign import ccall unsafe "omp_set_num_threads" omp_set_num_threads :: CInt -> IO ()

-- | Threads in the current team (1 outside a parallel region).
--
-- >>> omp_get_num_threads
-- 1
foreign import ccall unsafe "omp_get_num_threads" omp_get_num_threads :: IO CInt

-- | The team size the next region would get (@nthreads-var@).
--
-- >>> omp_get_max_threads
-- 3
foreign import ccall unsafe "omp_get_max_threads" omp_get_max_threads :: IO CInt

-- | The calling thread's number in its team (0 = primary thread).  From a
-- Haskell thread outside any region this is 0.
--
-- >>> omp_get_thread_num
-- 0
foreign import ccall unsafe "omp_get_thread_num" omp_get_thread_num :: IO CInt

-- | Processors available to the program.
--
-- >>> omp_get_num_procs
-- 2
foreign import ccall unsafe "omp_get_num_procs" omp_get_num_procs :: IO CInt

-- | Non-zero inside an active (more than one thread) parallel region.
--
-- >>> omp_in_parallel
-- 0
foreign import ccall unsafe "omp_in_parallel" omp_in_parallel :: IO CInt

-- | Enable (non-zero) or disable dynamic adjustment of team sizes.
--
-- >>> omp_set_dynamic 0
foreign import ccall unsafe "omp_set_dynamic" omp_set_dynamic :: CInt -> IO ()

-- | Non-zero if dynamic adjustment of team sizes is enabled.
--
-- >>> omp_get_dynamic
-- 0
foreign import ccall unsafe "omp_get_dynamic" omp_get_dynamic :: IO CInt

-- | The most threads a contention group may use (@thread-limit-var@).
--
-- >>> omp_get_thread_limit
-- 2147483647
foreign import ccall unsafe "omp_get_thread_limit" omp_get_thread_limit :: IO CInt

-- | Limit the nesting depth of active parallel regions.
--
-- >>> omp_set_max_active_levels 1
foreign import ccall unsafe "omp_set_max_active_levels" omp_set_max_active_levels :: CInt -> IO ()

-- | The current limit on nested active parallel regions.
--
-- >>> omp_get_max_active_levels
-- 1
foreign import ccall unsafe "omp_get_max_active_levels" omp_get_max_active_levels :: IO CInt

-- | The number of enclosing parallel regions (active or not).
--
-- >>> omp_get_level
-- 0
foreign import ccall unsafe "omp_get_level" omp_get_level :: IO CInt

-- | The number of enclosing active parallel regions.
--
-- >>> omp_get_active_level
-- 0
foreign import ccall unsafe "omp_get_active_level" omp_get_active_level :: IO CInt

-- | The thread number of the calling thread's ancestor at a nesting level
-- (-1 for a level that does not exist).
--
-- >>> omp_get_ancestor_thread_num 0
-- 0
foreign import ccall unsafe "omp_get_ancestor_thread_num" omp_get_ancestor_thread_num :: CInt -> IO CInt

-- | The size of the team at a nesting level (-1 for a level that does not
-- exist).
--
-- >>> omp_get_team_size 0
-- 1
foreign import ccall unsafe "omp_get_team_size" omp_get_team_size :: CInt -> IO CInt

-- | @omp_sched_t@: a schedule kind, optionally or-ed with
-- 'omp_sched_monotonic'.
type OmpSched = CInt

-- | @omp_sched_static@ (1).
omp_sched_static :: OmpSched
omp_sched_static = 1

-- | @omp_sched_dynamic@ (2).
omp_sched_dynamic :: OmpSched
omp_sched_dynamic = 2

-- | @omp_sched_guided@ (3).
omp_sched_guided :: OmpSched
omp_sched_guided = 3

-- | @omp_sched_auto@ (4).
omp_sched_auto :: OmpSched
omp_sched_auto = 4

-- | @omp_sched_monotonic@ (0x80000000), a modifier bit.
omp_sched_monotonic :: OmpSched
omp_sched_monotonic = minBound

-- | Set @run-sched-var@, the schedule of @schedule(runtime)@ loops.
--
-- >>> omp_set_schedule omp_sched_dynamic 4
foreign import ccall unsafe "omp_set_schedule" omp_set_schedule :: OmpSched -> CInt -> IO ()

-- | Read @run-sched-var@ into the two pointers (kind, chunk size).
--
-- > alloca $ \k -> alloca $ \c -> omp_get_schedule k c >> (,) <$> peek k <*> peek c
-- >   -- (2,4)
foreign import ccall unsafe "omp_get_schedule" omp_get_schedule :: Ptr OmpSched -> Ptr CInt -> IO ()

-- | Elapsed wall-clock time in seconds from an arbitrary fixed point.
--
-- >>> t0 <- omp_get_wtime
foreign import ccall unsafe "omp_get_wtime" omp_get_wtime :: IO CDouble

-- | The resolution of 'omp_get_wtime' in seconds.
--
-- >>> omp_get_wtick
-- 1.0e-9
foreign import ccall unsafe "omp_get_wtick" omp_get_wtick :: IO CDouble

-- | @omp_lock_t@ (4 bytes in GCC's ABI).  Allocate with
-- @mallocBytes 4@ (or 'HsOmp.newLock').
data OmpLock

-- | @omp_nest_lock_t@ (16 bytes in GCC's ABI).
data OmpNestLock

-- | Initialise a simple lock.
--
-- > p <- mallocBytes 4; omp_init_lock p
foreign import ccall unsafe "omp_init_lock" omp_init_lock :: Ptr OmpLock -> IO ()
-- | Destroy a simple lock (it must be unset).
--
-- > omp_destroy_lock p
foreign import ccall unsafe "omp_destroy_lock" omp_destroy_lock :: Ptr OmpLock -> IO ()
-- | Set a simple lock, waiting while another thread holds it.  Imported
-- @safe@: a waiting Haskell thread releases its Capability.
--
-- > omp_set_lock p
foreign import ccall safe "omp_set_lock" omp_set_lock :: Ptr OmpLock -> IO ()
-- | Unset a simple lock held by the calling thread.
--
-- > omp_unset_lock p
foreign import ccall unsafe "omp_unset_lock" omp_unset_lock :: Ptr OmpLock -> IO ()
-- | Try to set a simple lock; non-zero on success.
--
-- > omp_test_lock p
-- >   -- 1
foreign import ccall unsafe "omp_test_lock" omp_test_lock :: Ptr OmpLock -> IO CInt
-- | Initialise a nestable lock.
--
-- > q <- mallocBytes 16; omp_init_nest_lock q
foreign import ccall unsafe "omp_init_nest_lock" omp_init_nest_lock :: Ptr OmpNestLock -> IO ()
-- | Destroy a nestable lock (it must be unset).
--
-- > omp_destroy_nest_lock q
foreign import ccall unsafe "omp_destroy_nest_lock" omp_destroy_nest_lock :: Ptr OmpNestLock -> IO ()
-- | Set a nestable lock (re-entrant for its owner); imported @safe@.
--
-- > omp_set_nest_lock q
foreign import ccall safe "omp_set_nest_lock" omp_set_nest_lock :: Ptr OmpNestLock -> IO ()
-- | Unset a nestable lock once.
--
-- > omp_unset_nest_lock q
foreign import ccall unsafe "omp_unset_nest_lock" omp_unset_nest_lock :: Ptr OmpNestLock -> IO ()
-- | Try to set a nestable lock; the new nesting count, or 0 on failure.
--
-- > omp_test_nest_lock q
-- >   -- 1
foreign import ccall unsafe "omp_test_nest_lock" omp_test_nest_lock :: Ptr OmpNestLock -> IO CInt

-- | The GHC Capability the calling OpenMP thread is bound to, or -1 for a
-- thread bound to none (a Haskell thread calling in, the initial thread).
--
-- >>> hsomp_get_capability
-- -1
foreign import ccall unsafe "hsomp_get_capability" hsomp_get_capability :: IO CInt

-- | The number of GHC Capabilities (0 before the RTS runs; in a Haskell
-- program, the @+RTS -N@ value).
--
-- >>> hsomp_get_num_capabilities
-- 2
foreign import ccall unsafe "hsomp_get_num_capabilities" hsomp_get_num_capabilities :: IO CInt
