{-# LANGUAGE LinearTypes #-}
-- | BAD: a plan that tries to mix in the parts of a second vector by
-- opening it inside the first one's plan.
-- Expected: withOwned is an IO action, the plan function is pure.
module LinearMix (mix) where

import qualified Data.Vector.Storable.Mutable as VSM

import HsOmp.Slice.Linear

mix :: VSM.IOVector Double -> VSM.IOVector Double -> IO ()
mix v w = withOwned Nothing v (\o -> withOwned Nothing w (\p -> skip o <+> skip p))
