{-# LANGUAGE GADTSyntax #-}
{-# LANGUAGE LinearTypes #-}
-- | The control module for HsOmp.Slice.Linear: correct plans that must
-- compile (a recursive halving in both styles GHC 9.0 allows, chunks,
-- explicit cuts, a reduction).  It also declares and uses its own @Ur@
-- beside HsOmp.Slice.Linear imported whole, as linear-base's @Ur@ (not in
-- Debian for GHC 9.0.2) would be: the two modules do not clash.  If this
-- fails, the harness or the API is broken, not the bad modules.
module LinearGood (halving, halvingArgs, chunked, cuts, total, Ur (..), unur) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice (forSlice, foldSlice, modify, read)
import HsOmp.Slice.Linear

-- | linear-base's unrestricted value, declared as Data.Unrestricted.Linear
-- declares it.
data Ur a where
  Ur :: a -> Ur a

unur :: Ur a %1 -> a
unur (Ur a) = a

bump :: Owned s Double %1 -> Plan s ()
bump o = run o (\sl -> forSlice sl (\i -> modify sl i (+ 1)))

-- | Halve down to parts of at most grain elements (continuation style).
halving :: Int -> VSM.IOVector Double -> IO ()
halving grain v = withOwned Nothing v go
  where
    go :: Owned s Double %1 -> Plan s ()
    go o = withRange o (\lo hi o' ->
      if hi - lo <= grain
        then bump o'
        else splitWith ((hi - lo) `div` 2) o' (\a b -> go a <+> go b))

-- | The same, taking the pairs apart in function arguments.
halvingArgs :: Int -> VSM.IOVector Double -> IO ()
halvingArgs grain v = withOwned Nothing v go
  where
    go :: Owned s Double %1 -> Plan s ()
    go o = step (ownedLength o)
    step :: (Unrestricted Int, Owned s Double) %1 -> Plan s ()
    step (Unrestricted n, o)   -- this package's Unrestricted, linear-base's Ur:
      | unur (Ur n) <= grain = bump o
      | otherwise = both (halves o)
    both :: (Owned s Double, Owned s Double) %1 -> Plan s ()
    both (a, b) = go a <+> go b

-- | Equal chunks, the last one left alone.
chunked :: VSM.IOVector Double -> IO ()
chunked v = withOwned (Just 2) v (\o -> splitWith 100 o (\a b -> skip a <+> each bump (chunksOf 1000 b)))

-- | Parts cut where the caller wants them.
cuts :: [Int] -> VSM.IOVector Double -> IO ()
cuts cs v = withOwned Nothing v (\o -> each bump (cutAt cs o))

-- | A reduction over a user-chosen split.
total :: VSM.IOVector Double -> IO Double
total v = withOwnedReduce Nothing v (+) 0 (\o -> splitWith 7 o (\a b -> sumOf a <+> sumOf b))
  where
    sumOf :: Owned s Double %1 -> Plan s Double
    sumOf o = run o (\sl -> foldSlice sl 0 (\acc i -> (acc +) <$> HsOmp.Slice.read sl i))
