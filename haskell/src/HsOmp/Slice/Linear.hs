{-# LANGUAGE BangPatterns #-}
{-# LANGUAGE GADTs #-}
{-# LANGUAGE LinearTypes #-}
{-# LANGUAGE RankNTypes #-}
{-# LANGUAGE RoleAnnotations #-}
-- | Linear ownership of the parts of one mutable Storable vector: the
-- /user/ splits the vector, and linearity makes the parts disjoint.
--
-- 'HsOmp.Slice' lets the runtime cut the vector.  Here the caller gets one
-- token, an @'Owned' s a@ for the whole vector, as a /linear/ argument
-- (@%1 ->@), and must turn it into a 'Plan': split it ('splitAt',
-- 'halves', 'chunksOf', 'cutAt'), look at its range ('ownedLength',
-- 'ownedRange'), and finally turn every part into one job ('run') or give
-- it up ('skip'), combining the jobs with '<+>'.  'withOwned' then runs the
-- jobs on the OpenMP team; each job's body sees its part as an ordinary
-- 'HsOmp.Slice.Slice' and uses 'HsOmp.Slice.forSlice', 'HsOmp.Slice.write',
-- 'HsOmp.Slice.foldSlice' and so on (@S.@ below is
-- @import qualified HsOmp.Slice as S@).
--
-- What the types guarantee:
--
--  * every token is used exactly once: using one twice (two jobs writing
--    the same elements) or dropping one is a type error (\"Couldn't match
--    type 'Many with 'One\"), and splitting consumes the token it splits,
--    so the parts of a plan never overlap and together cover the vector;
--
--  * a token cannot be captured by a job body (bodies are unrestricted
--    functions) or leave the call: its region @s@ is rank-2, so it cannot
--    appear in a result, and the plan function is pure, so it cannot be
--    stored anywhere or used by another call;
--
--  * inside a job, the 'HsOmp.Slice' guarantees hold: the body writes only
--    its own part.
--
-- A recursive halving down to a grain size.  In GHC 9.0 @case@, @let@ and
-- @where@ bind unrestrictedly and @($)@ is not linear, so take tokens apart
-- with function arguments or the continuation forms 'splitWith' and
-- 'withRange', and apply with parentheses:
--
-- > :set -XLinearTypes
-- > let halving :: Int -> Owned s Double %1 -> Plan s ()
-- >     halving grain o = withRange o (\lo hi o' ->
-- >       if hi - lo <= grain
-- >         then run o' (\sl -> S.forSlice sl (\i -> S.write sl i (fromIntegral (S.globalIndex i))))
-- >         else splitWith ((hi - lo) `div` 2) o' (\a b -> halving grain a <+> halving grain b))
-- > withOwned Nothing v (halving 4096)
module HsOmp.Slice.Linear
  ( -- * Running a plan on the OpenMP team
    withOwned
  , withOwnedResults
  , withOwnedReduce
    -- * Ownership tokens
  , Owned
  , Unrestricted (..)
  , ownedLength
  , ownedRange
  , withRange
    -- * Splitting
  , splitAt
  , splitWith
  , halves
  , chunksOf
  , cutAt
    -- * Plans
  , Plan
  , run
  , runForeign
  , skip
  , done
  , (<+>)
  , each
  ) where

import Prelude hiding (splitAt)

import Control.Monad (forM_)
import Data.List (foldl', sortOn)
import Data.Primitive.Array
import qualified Data.Vector.Storable.Mutable as VSM
import Foreign.Ptr (Ptr)
import Foreign.Marshal.Array (advancePtr)
import Foreign.Storable (Storable)

import HsOmp.Callback (parallelForN)
import HsOmp.Schedule (Schedule (..))
import HsOmp.Slice.Internal (Slice (..), SliceM, runBody)

------------------------------------------------------------------------------
-- Types

-- Note [Linear tokens]
-- An Owned s a is the right to write the elements [lo, hi) of the vector
-- given to withOwned.  The user cannot build one (the constructor is not
-- exported) and receives the whole vector's token as a linear argument of
-- the plan function; every function here that takes a token takes it
-- linearly and returns tokens for disjoint parts of its range.  So, by
-- induction, the tokens alive at any point of the plan function partition
-- [0, n), and the plan's jobs (one per token given to run) are disjoint.
--
-- The constructor's fields are declared with GADT syntax and a plain arrow,
-- which under LinearTypes makes them unrestricted: matching a token that
-- was received linearly (run, splitAt) gives its pointer and bounds as
-- ordinary values that may be used any number of times.  Only the token
-- itself is linear.  Plan's PBoth, in contrast, has linear fields, so that
-- (<+>) can take its two plans linearly.
--
-- GHC 9.0.2 has no linear let or where, case consumes its scrutinee with
-- multiplicity Many, and ($) is not linear (withRange o $ \lo hi o' -> ...
-- fails with "arising from an application"), so user code takes a pair of
-- tokens apart in a function argument (f (a, b) = ...) or uses the
-- continuation forms splitWith and withRange, with parentheses
-- (test/compile-fail/LinearGood.hs).  All of it is checked by the
-- typechecker, also under -fno-code, and also in modules without
-- -XLinearTypes (which is needed only to write %1 -> in a signature).

-- | The ownership of one contiguous part of the vector given to
-- 'withOwned', for the call's region @s@.  Linear: every token must be
-- used exactly once (split, 'run' or 'skip').
data Owned s a where
  Owned :: !(Ptr a) -- element 0 of the whole vector
        -> !Int     -- first index (global)
        -> !Int     -- one past the last index (global)
        -> Owned s a

-- | The jobs made from the tokens of region @s@, each with the result type
-- @r@ of its body.  Build plans with 'run', 'skip', 'done' and '<+>'.
data Plan s r where
  PNone :: Plan s r
  PJob :: !Int -> !Int -> IO r -> Plan s r
  PBoth :: Plan s r %1 -> Plan s r %1 -> Plan s r

-- s is a phantom: nominal, so that coerce cannot move a token or a plan
-- into another call's region (see Note [Nominal region parameter]).
type role Owned nominal representational
type role Plan nominal representational

-- | An unrestricted value: what a query returns next to the token it
-- consumed (its field may be used any number of times).  The same shape as
-- linear-base's @Ur@, under a name of its own, so that a module may import
-- this one and linear-base's @Prelude.Linear@ unqualified, side by side.
--
-- > f (Unrestricted n, o) = if n > 1000 then halving o else run o body
data Unrestricted a where
  Unrestricted :: a -> Unrestricted a

------------------------------------------------------------------------------
-- Running

-- | @withOwnedResults team v plan@ gives @plan@ the token of the whole
-- of @v@, runs the jobs of the plan it returns on a team of @n@ OpenMP
-- threads for @'Just' n@ (for 'Nothing': of the default size,
-- 'HsOmp.maxThreads'), and returns the
-- jobs' results in the order of their parts (by start index; each forced to
-- weak head normal form on its worker).  Jobs start in plan order, the
-- left operand of '<+>' first (a dynamic schedule of chunk 1 over the
-- jobs), so put the heaviest parts first.  The first exception a job threw
-- is re-thrown here once all jobs are done.  The vector's memory stays
-- alive for the whole call.
--
-- > withOwnedResults Nothing v (\o -> splitWith 3 o (\a b -> run a (pure . S.sliceLength) <+> run b (pure . S.sliceLength)))
-- >   -- [3,7]
withOwnedResults :: Storable a => Maybe Int -> VSM.IOVector a -> (forall s. Owned s a %1 -> Plan s r) -> IO [r]
withOwnedResults team v plan =
  VSM.unsafeWith v $ \p -> runPlan team (plan (Owned p 0 (VSM.length v)))
{-# INLINE withOwnedResults #-}

-- | 'withOwnedResults' for jobs run for their writes only.
--
-- > withOwned Nothing v (\o -> each (\part -> run part (\sl -> S.forSlice sl (\i -> S.write sl i 1))) (chunksOf 1000 o))
withOwned :: Storable a => Maybe Int -> VSM.IOVector a -> (forall s. Owned s a %1 -> Plan s ()) -> IO ()
withOwned team v plan = () <$ withOwnedResults team v plan
{-# INLINE withOwned #-}

-- | @withOwnedReduce team v op z plan@ combines the jobs' results with
-- @op@, left to right in the order of their parts, starting from @z@: for
-- an associative @op@ with unit @z@ it equals the sequential fold over the
-- parts that were 'run' (no commutativity needed).
--
-- > withOwnedReduce Nothing v (+) 0 (\o -> each (\part -> run part (\sl -> S.foldSlice sl 0 (\acc i -> (acc +) <$> S.read sl i))) (chunksOf 4096 o))
withOwnedReduce :: Storable a => Maybe Int -> VSM.IOVector a -> (r -> r -> r) -> r
                -> (forall s. Owned s a %1 -> Plan s r) -> IO r
withOwnedReduce team v op z plan = foldl' op z <$> withOwnedResults team v plan
{-# INLINE withOwnedReduce #-}

-- | A job: its range, the slot of its result (its rank in range order) and
-- its action.
data Job r = Job !Int !Int !Int (IO r)

-- Runs the jobs of a plan, in plan order on the team, and returns their
-- results in range order.
runPlan :: Maybe Int -> Plan s r -> IO [r]
runPlan team plan = do
  let planned = flatten plan []
      byRange = sortOn snd (zip [0 :: Int ..] (map (\(lo, hi, _) -> (lo, hi)) planned))
      slots = map snd (sortOn fst (zip (map fst byRange) [0 :: Int ..]))
      jobs = arrayFromList (zipWith (\(lo, hi, io) slot -> Job lo hi slot io) planned slots)
      njobs = sizeofArray jobs
  results <- newArray njobs (error "HsOmp.Slice.Linear: a job's result is missing")
  parallelForN team (Dynamic 1) 0 njobs $ \j0 j1 ->
    forM_ [j0 .. j1 - 1] $ \j -> do
      let Job _ _ slot io = indexArray jobs j
      !r <- io
      writeArray results slot r
  out <- unsafeFreezeArray results
  pure [indexArray out k | k <- [0 .. njobs - 1]]

-- The jobs of a plan in plan order.
flatten :: Plan s r -> [(Int, Int, IO r)] -> [(Int, Int, IO r)]
flatten PNone acc = acc
flatten (PJob lo hi io) acc = (lo, hi, io) : acc
flatten (PBoth a b) acc = flatten a (flatten b acc)

------------------------------------------------------------------------------
-- Queries

-- | The number of elements a token owns, and the token back.
--
-- > grain (Unrestricted n, o) = if n <= 4096 then run o body else halving o
-- > plan o = grain (ownedLength o)
ownedLength :: Owned s a %1 -> (Unrestricted Int, Owned s a)
ownedLength (Owned p lo hi) = (Unrestricted (hi - lo), Owned p lo hi)

-- | The range @[start, end)@ of indices of the whole vector a token owns,
-- and the token back.
--
-- > ownedRange o   -- for the whole of a 10-element vector
-- >   -- (Unrestricted (0,10), o)
ownedRange :: Owned s a %1 -> (Unrestricted (Int, Int), Owned s a)
ownedRange (Owned p lo hi) = (Unrestricted (lo, hi), Owned p lo hi)

-- | 'ownedRange' in continuation form: @withRange o k@ is @k start end o@.
--
-- > withRange o (\lo hi o' -> if hi - lo < 100 then run o' body else halving o')
withRange :: Owned s a %1 -> (Int -> Int -> Owned s a %1 -> b) %1 -> b
withRange (Owned p lo hi) k = k lo hi (Owned p lo hi)

------------------------------------------------------------------------------
-- Splitting

-- | @splitAt k o@ splits off the first @k@ elements of a token's part
-- (clamped: @k <= 0@ gives an empty first part, @k@ past the end an empty
-- second part).  The token is consumed.
--
-- > f (a, b) = run a body <+> skip b
-- > plan o = f (splitAt 10 o)
splitAt :: Int -> Owned s a %1 -> (Owned s a, Owned s a)
splitAt k (Owned p lo hi) = (Owned p lo m, Owned p m hi)
  where
    m = lo + max 0 (min (hi - lo) k)

-- | 'splitAt' in continuation form: @splitWith k o f@ is @f first second@.
--
-- > splitWith 10 o (\a b -> run a body <+> skip b)
splitWith :: Int -> Owned s a %1 -> (Owned s a %1 -> Owned s a %1 -> b) %1 -> b
splitWith k o f = applyPair f (splitAt k o)

applyPair :: (x %1 -> y %1 -> b) %1 -> (x, y) %1 -> b
applyPair f (x, y) = f x y

-- | Split a token's part in the middle (the first half gets the smaller
-- half of an odd length).
--
-- > f (a, b) = run a body <+> run b body
-- > plan o = f (halves o)
halves :: Owned s a %1 -> (Owned s a, Owned s a)
halves (Owned p lo hi) = splitAt ((hi - lo) `quot` 2) (Owned p lo hi)

-- | Cut a token's part into parts of @k@ elements (the last may be
-- shorter; @k < 1@ counts as 1).  Always at least one part: an empty token
-- gives one empty part.  Consume the list with 'each' (or by recursion).
--
-- > each (\part -> run part body) (chunksOf 4096 o)
chunksOf :: Int -> Owned s a %1 -> [Owned s a]
chunksOf k0 (Owned p lo hi)
  | hi - lo <= k = [Owned p lo hi]
  | otherwise = Owned p lo (lo + k) : chunksOf k (Owned p (lo + k) hi)
  where
    k = max 1 k0

-- | Cut a token's part at the given offsets from its start, in order:
-- @n@ offsets give @n + 1@ parts.  Each offset is clamped to the part and
-- to be no less than the previous one (so out-of-order offsets give empty
-- parts, never overlapping ones).
--
-- > each (\part -> run part body) (cutAt [100, 400] o)   -- [0,100) [100,400) [400,n)
cutAt :: [Int] -> Owned s a %1 -> [Owned s a]
cutAt [] o = [o]
cutAt (c : cs) (Owned p lo hi) = consPair (splitAt c (Owned p lo hi))
  where
    consPair :: (Owned s a, Owned s a) %1 -> [Owned s a]
    consPair (a, b) = a : cutAt (map (subtract c') cs) b
    c' = max 0 (min (hi - lo) c)

------------------------------------------------------------------------------
-- Plans

-- | One job: run the body on the token's part, seen as a 'Slice' of a fresh
-- region @t@ (so everything in 'HsOmp.Slice' works on it, and nothing of
-- the body escapes).  The token is consumed.
--
-- > run o (\sl -> S.forSlice sl (\i -> S.modify sl i (* 2)))
run :: Owned s a %1 -> (forall t. Slice t a -> SliceM t r) -> Plan s r
run (Owned p lo hi) body = PJob lo hi (runBody (body (Slice p lo hi)))
{-# INLINE run #-}

-- | One job that hands its part to C (or to any 'IO' code): the body gets
-- a pointer to the part's first element and its length in elements, for a
-- foreign function to process, on an OpenMP thread of the team, at the same
-- time as the plan's other jobs (Haskell 'run' bodies included).  The
-- token is consumed, so no other job owns these elements; the body is an
-- unrestricted argument, so it cannot capture another part's token, and
-- the pointer is the only address of the vector it is given
-- (Note [Foreign jobs]).  The memory stays alive for the whole call
-- ('withOwned' holds the vector); the pointer is valid only until the body
-- returns.  Import the function @safe@ if it may start an OpenMP region or
-- run long; @unsafe@ for short C that does neither.
--
-- > plan o = splitWith (n `div` 2) o (\a b -> run a hsBody <+> runForeign b (\p len -> c_kernel p (fromIntegral len)))
runForeign :: Storable a => Owned s a %1 -> (Ptr a -> Int -> IO r) -> Plan s r
runForeign (Owned p lo hi) body = PJob lo hi (body (p `advancePtr` lo) (hi - lo))
{-# INLINE runForeign #-}

-- Note [Foreign jobs]
-- A foreign job's body is plain IO: the types cannot stop C from walking
-- off the end of its part (C has no types for that), nor IO code from
-- storing the pointer.  What they do guarantee is that the plan never gives
-- two jobs the same part, that the part handed to C is the one whose token
-- the job consumed, and that no Haskell 'run' body runs on those elements:
-- the same guarantees as for 'run' (test/compile-fail/LinearForeign*.hs).
-- The body runs where 'run' bodies run, inside a chunk of parallelForN on an
-- OpenMP thread holding a Capability; a safe foreign call in it releases
-- that Capability while C runs, so Haskell jobs and the GC go on.

-- | Give up a token: its elements are not touched by this call.
--
-- > f (a, b) = run a body <+> skip b   -- leave the tail alone
skip :: Owned s a %1 -> Plan s r
skip (Owned _ _ _) = PNone

-- | The plan with no jobs.
--
-- > each f [] == done
done :: Plan s r
done = PNone

infixr 5 <+>

-- | Both plans' jobs (the left plan's jobs start first).
--
-- > run a body <+> run b body
(<+>) :: Plan s r %1 -> Plan s r %1 -> Plan s r
a <+> b = PBoth a b

-- | The plans a function makes of each token of a list, combined with
-- '<+>' in list order.
--
-- > each (\part -> run part body) (chunksOf 4096 o)
each :: (Owned s a %1 -> Plan s r) -> [Owned s a] %1 -> Plan s r
each _ [] = PNone
each f (o : os) = f o <+> each f os
