{-# LANGUAGE BangPatterns #-}
{-# LANGUAGE RankNTypes #-}
-- | A parallel loop whose Haskell bodies each own a disjoint slice of one
-- mutable Storable vector, with the disjointness enforced by the types.
--
-- 'parallelSlices' cuts the vector into slices (the chunks of an OpenMP
-- schedule) and runs the body once per slice on the OpenMP team, through
-- 'HsOmp.Callback.parallelForN'.  The body is polymorphic in a region type
-- @s@, so each slice gets its own @s@, and:
--
--  * a body runs in 'SliceM', which is not 'IO' and has no 'MonadIO' or
--    @PrimMonad@ instance: it cannot write the parent vector, an 'IORef', or
--    anything else mutable except its own slice;
--
--  * the only writes are 'write' and 'modify' at an @'Ix' s@, and an
--    @'Ix' s@ can only be obtained by iterating the slice ('forSlice',
--    'foldSlice', 'forRows'): it has no 'Num' or 'Enum' instance and no
--    visible constructor, so @write sl (i + 1)@ does not compile;
--
--  * @s@ cannot escape: returning a slice or an index from the body, or
--    using one in another body, is a type error (\"would escape its
--    scope\"), and @s@ has the nominal role, so 'Data.Coerce.coerce' cannot
--    turn an @'Ix' s@ into an @'Ix' t@.
--
-- Reading immutable inputs at any index is fine and pure: 'index' (or
-- @'Data.Vector.Storable.unsafeIndex' v ('globalIndex' i)@).
--
-- >>> import qualified HsOmp.Slice as S
-- > let xs = VS.generate 1000000 fromIntegral :: VS.Vector Double
-- > ys <- VSM.new 1000000
-- > S.parallelSlices_ (S.split (Dynamic 65536)) ys $ \sl ->
-- >   S.forSlice sl $ \i -> S.write sl i (2 * S.index xs i)
-- > S.parallelReduce (S.split Static) ys (+) 0 $ \sl ->
-- >   S.foldSlice sl 0 $ \acc i -> (acc +) <$> S.read sl i
-- >   -- 9.99999e11
--
-- What the types do not rule out: 'System.IO.Unsafe.unsafePerformIO' and
-- friends inside a body; reading (through an earlier @unsafeFreeze@) the
-- vector that the bodies are writing.  See the package README, section
-- \"Disjoint slices\".
module HsOmp.Slice
  ( -- * Running bodies on slices
    parallelSlices
  , parallelSlices_
  , parallelReduce
    -- * How the vector is cut
  , Split (..)
  , split
  , rowsOf
    -- * The body's monad
  , SliceM
    -- * Slices and their indices
  , Slice
  , Ix
  , sliceStart
  , sliceEnd
  , sliceLength
  , globalIndex
  , localIndex
    -- * Iterating
  , forSlice
  , foldSlice
  , forRows
  , subSlice
    -- * Reading and writing the own slice
  , read
  , write
  , modify
    -- * Reading immutable inputs
  , index
  ) where

import Prelude hiding (read)

import Data.IORef
import Data.List (foldl', sortOn)
import qualified Data.Vector.Storable as VS
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.Storable (Storable, peekElemOff, pokeElemOff)

import HsOmp.Callback (parallelForN)
import HsOmp.Slice.Internal (Ix (..), Slice (..), SliceM (..), runBody)
import HsOmp.Schedule (Schedule (..))

------------------------------------------------------------------------------
-- Types

-- SliceM, Slice and Ix (with the Note on their roles) are in
-- HsOmp.Slice.Internal, shared with HsOmp.Slice.Linear.

sliceFrom, sliceTo :: Slice s a -> Int
sliceFrom (Slice _ lo _) = lo
sliceTo (Slice _ _ hi) = hi
{-# INLINE sliceFrom #-}
{-# INLINE sliceTo #-}

-- | How 'parallelSlices' cuts the vector and on how many threads it runs.
data Split = Split
  { splitSchedule :: !Schedule
    -- ^ the OpenMP schedule of the blocks; its chunk size counts blocks
  , splitBlock :: !Int
    -- ^ slices start at multiples of this many elements (1: anywhere); the
    --   last block ends at the end of the vector
  , splitThreads :: !(Maybe Int)
    -- ^ team size: @'Just' n@ threads, or 'Nothing' for the default size
    --   ('HsOmp.maxThreads')
  }
  deriving (Eq, Show)

-- | Cut at element granularity with the given schedule, on the default team.
--
-- >>> split (Dynamic 4096)
-- Split {splitSchedule = Dynamic 4096, splitBlock = 1, splitThreads = Nothing}
--
-- On a team of 3 threads:
--
-- >>> (split Static) { splitThreads = Just 3 }
-- Split {splitSchedule = Static, splitBlock = 1, splitThreads = Just 3}
split :: Schedule -> Split
split sched = Split sched 1 Nothing

-- | Cut at whole rows of @n@ elements (a row-major matrix with @n@
-- columns): every slice is a run of whole rows, and the schedule's chunk
-- size counts rows.  Iterate the rows of a slice with 'forRows'.
--
-- > parallelSlices_ (rowsOf 512 (Dynamic 4)) c $ \sl -> forRows 512 sl $ \i row -> ...
rowsOf :: Int -> Schedule -> Split
rowsOf n sched = Split sched (max 1 n) Nothing

------------------------------------------------------------------------------
-- Running

-- Runs k on every slice of the vector, on the OpenMP team.  k gets the
-- slice's start and the slice.  The vector's memory is kept alive by
-- unsafeWith (withForeignPtr: keepAlive# in base-4.15) for the whole
-- region; Storable vectors are pinned, so the pointer stays valid.
runSlices :: Storable a => Split -> VSM.IOVector a -> (forall s. Int -> Slice s a -> IO ()) -> IO ()
runSlices (Split sched blk team) v k =
  VSM.unsafeWith v $ \p ->
    parallelForN team sched 0 nblocks $ \b0 b1 ->
      let lo = b0 * w in k lo (Slice p lo (min n (b1 * w)))
  where
    n = VSM.length v
    w = max 1 blk
    nblocks = (n + w - 1) `quot` w
{-# INLINE runSlices #-}

-- | @parallelSlices split v body@ runs @body@ once on each slice of @v@
-- (slices are disjoint and together cover @v@), on the OpenMP team, and
-- returns the bodies' results in the order of their slices (each forced to
-- weak head normal form on its worker).  The first exception a body threw is
-- re-thrown here once all slices are done.  The calling thread waits in a
-- safe foreign call, so other Haskell threads keep running.
--
-- > parallelSlices (split (StaticChunk 3)) v (\sl -> pure (sliceStart sl, sliceEnd sl))
-- >   -- [(0,3),(3,6),(6,9),(9,10)]
parallelSlices :: Storable a => Split -> VSM.IOVector a -> (forall s. Slice s a -> SliceM s r) -> IO [r]
parallelSlices sp v body = do
  results <- newIORef []
  runSlices sp v $ \lo sl -> do
    !r <- runBody (body sl)
    atomicModifyIORef' results (\rs -> ((lo, r) : rs, ()))
  map snd . sortOn fst <$> readIORef results
{-# INLINE parallelSlices #-}

-- | 'parallelSlices' for bodies run for their writes only.
--
-- > parallelSlices_ (split Static) v $ \sl -> forSlice sl $ \i -> write sl i (globalIndex i)
parallelSlices_ :: Storable a => Split -> VSM.IOVector a -> (forall s. Slice s a -> SliceM s ()) -> IO ()
parallelSlices_ sp v body = runSlices sp v (\_ sl -> runBody (body sl))
{-# INLINE parallelSlices_ #-}

-- | @parallelReduce split v op z body@ combines the bodies' results with
-- @op@, left to right in the order of the slices, starting from @z@: for an
-- associative @op@ with unit @z@ it equals the sequential fold, whatever the
-- schedule (no commutativity needed).  One result per slice is kept until
-- all are done.
--
-- > parallelReduce (split (Dynamic 1024)) v (+) 0 (\sl -> foldSlice sl 0 (\s i -> (s +) <$> read sl i))
parallelReduce :: Storable a => Split -> VSM.IOVector a -> (r -> r -> r) -> r
               -> (forall s. Slice s a -> SliceM s r) -> IO r
parallelReduce sp v op z body = foldl' op z <$> parallelSlices sp v body
{-# INLINE parallelReduce #-}

------------------------------------------------------------------------------
-- Slices and indices

-- | The index in the whole vector of the slice's first element.
--
-- > sliceStart sl
-- >   -- 4096
sliceStart :: Slice s a -> Int
sliceStart = sliceFrom
{-# INLINE sliceStart #-}

-- | One past the index in the whole vector of the slice's last element.
--
-- > sliceEnd sl
-- >   -- 8192
sliceEnd :: Slice s a -> Int
sliceEnd = sliceTo
{-# INLINE sliceEnd #-}

-- | The number of elements of the slice.
--
-- > sliceLength sl
-- >   -- 4096
sliceLength :: Slice s a -> Int
sliceLength sl = sliceTo sl - sliceFrom sl
{-# INLINE sliceLength #-}

-- | The index of an element in the whole vector: use it to read immutable
-- inputs of the same shape, or to compute a row and column.
--
-- > forSlice sl $ \i -> write sl i (fromIntegral (globalIndex i))
globalIndex :: Ix s -> Int
globalIndex (Ix i) = i
{-# INLINE globalIndex #-}

-- | The index of an element relative to the start of a slice (the column,
-- for a row of 'forRows').
--
-- > forRows n sl $ \r row -> forSlice row $ \i -> write row i (a ! r * n + localIndex row i)
localIndex :: Slice s a -> Ix s -> Int
localIndex sl (Ix i) = i - sliceFrom sl
{-# INLINE localIndex #-}

------------------------------------------------------------------------------
-- Iterating

-- | Run the action on every index of the slice, in increasing order.
--
-- > forSlice sl $ \i -> modify sl i (* 2)
forSlice :: Slice s a -> (Ix s -> SliceM s ()) -> SliceM s ()
forSlice (Slice _ lo hi) f = go lo
  where
    go !i
      | i >= hi = pure ()
      | otherwise = f (Ix i) >> go (i + 1)
{-# INLINE forSlice #-}

-- | A strict left fold over the indices of the slice, in increasing order.
--
-- > foldSlice sl 0 $ \acc i -> (\x -> acc + x * x) <$> read sl i
foldSlice :: Slice s a -> b -> (b -> Ix s -> SliceM s b) -> SliceM s b
foldSlice (Slice _ lo hi) z f = go z lo
  where
    go !acc !i
      | i >= hi = pure acc
      | otherwise = f acc (Ix i) >>= \acc' -> go acc' (i + 1)
{-# INLINE foldSlice #-}

-- | @forRows n sl f@ runs @f r row@ for every row of @n@ elements that the
-- slice covers, in order: @r@ is the row number in the whole vector (rows
-- start at multiples of @n@) and @row@ the part of the slice in that row,
-- itself a slice of the same region.  With 'rowsOf' @n@ every row is whole.
--
-- > forRows n sl $ \r row -> forSlice row $ \i -> write row i (fromIntegral (r + localIndex row i))
forRows :: Int -> Slice s a -> (Int -> Slice s a -> SliceM s ()) -> SliceM s ()
forRows n0 (Slice p lo hi) f = go lo
  where
    n = max 1 n0
    go !start
      | start >= hi = pure ()
      | otherwise =
          let r = start `quot` n
              end = min hi ((r + 1) * n)
           in f r (Slice p start end) >> go end
{-# INLINE forRows #-}

-- | @subSlice from to sl@ is the part @[from, to)@ of the slice, in offsets
-- from its start, clamped to the slice: a slice of the same region (the
-- same body may use both), never larger than @sl@.
--
-- > forRows n sl $ \_ row -> forSlice (subSlice jj (jj + 256) row) $ \i -> ...
subSlice :: Int -> Int -> Slice s a -> Slice s a
subSlice from to (Slice p lo hi) = Slice p a (max a b)
  where
    a = min hi (lo + max 0 from)
    b = min hi (lo + max 0 to)
{-# INLINE subSlice #-}

------------------------------------------------------------------------------
-- Elements

-- | The element of the slice at an index (no bounds check: the index is in
-- the slice by construction).
--
-- > x <- read sl i
read :: Storable a => Slice s a -> Ix s -> SliceM s a
read (Slice p _ _) (Ix i) = SliceM (peekElemOff p i)
{-# INLINE read #-}

-- | Write the element of the slice at an index (no bounds check: the index
-- is in the slice by construction).
--
-- > write sl i 0
write :: Storable a => Slice s a -> Ix s -> a -> SliceM s ()
write (Slice p _ _) (Ix i) x = SliceM (pokeElemOff p i x)
{-# INLINE write #-}

-- | Apply a function to the element of the slice at an index (strict in the
-- new value).
--
-- > modify sl i (+ 1)
modify :: Storable a => Slice s a -> Ix s -> (a -> a) -> SliceM s ()
modify (Slice p _ _) (Ix i) f = SliceM (peekElemOff p i >>= \x -> pokeElemOff p i $! f x)
{-# INLINE modify #-}

-- | The element of an immutable vector at the global index of @i@ (bounds
-- checked; for no check use @'VS.unsafeIndex' xs ('globalIndex' i)@).
--
-- > forSlice sl $ \i -> write sl i (index xs i + index ys i)
index :: Storable b => VS.Vector b -> Ix s -> b
index xs (Ix i) = xs VS.! i
{-# INLINE index #-}
