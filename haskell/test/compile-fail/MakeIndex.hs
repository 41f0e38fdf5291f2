-- | BAD: makes an index from an Int.
-- Expected: the Ix constructor is not exported.
module MakeIndex (poke5) where

import HsOmp.Slice

poke5 :: Slice s Double -> SliceM s ()
poke5 sl = write sl (Ix 5) 0
