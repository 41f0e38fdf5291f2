-- | Loop schedules as a sum type, and their encoding as @omp_sched_t@.
module HsOmp.Schedule
  ( Schedule (..)
  , toOmpSched
  , fromOmpSched
  ) where

import Data.Bits ((.&.))
import Foreign.C.Types (CInt)

-- | How the iterations of a loop are divided among the threads of a team
-- (OpenMP's @schedule@ clause).
--
-- > parallelFor (Dynamic 64) 0 100000 (\lo hi -> ...)
data Schedule
  = Static           -- ^ @schedule(static)@: one contiguous block per thread.
  | StaticChunk !Int -- ^ @schedule(static, n)@: blocks of n, round robin.
  | Dynamic !Int     -- ^ @schedule(dynamic, n)@: threads take n at a time.
  | Guided !Int      -- ^ @schedule(guided, n)@: shrinking blocks, at least n.
  | Auto             -- ^ @schedule(auto)@: the runtime decides (static here).
  | Runtime          -- ^ @schedule(runtime)@: use the @run-sched-var@ ICV
                     --   ('HsOmp.setSchedule', @OMP_SCHEDULE@).
  deriving (Eq, Show)

-- | The @omp_sched_t@ kind and chunk size of a schedule, as
-- @omp_set_schedule@ takes them; 'Nothing' for 'Runtime', which is not a
-- value of @run-sched-var@.
--
-- >>> toOmpSched (Dynamic 4)
-- Just (2,4)
toOmpSched :: Schedule -> Maybe (CInt, CInt)
toOmpSched s = case s of
  Static -> Just (1, 0)
  StaticChunk n -> Just (1, fromIntegral n)
  Dynamic n -> Just (2, fromIntegral n)
  Guided n -> Just (3, fromIntegral n)
  Auto -> Just (4, 0)
  Runtime -> Nothing

-- | The schedule for an @omp_sched_t@ kind (the monotonic bit ignored) and
-- chunk size, as @omp_get_schedule@ returns them.
--
-- >>> fromOmpSched 3 1
-- Just (Guided 1)
fromOmpSched :: CInt -> CInt -> Maybe Schedule
fromOmpSched kind chunk = case kind .&. 0x7fffffff of
  1 | chunk <= 0 -> Just Static
    | otherwise -> Just (StaticChunk (fromIntegral chunk))
  2 -> Just (Dynamic (fromIntegral (max 1 chunk)))
  3 -> Just (Guided (fromIntegral (max 1 chunk)))
  4 -> Just Auto
  _ -> Nothing
