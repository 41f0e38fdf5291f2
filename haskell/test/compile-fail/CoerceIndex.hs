{-# LANGUAGE ScopedTypeVariables #-}
-- | BAD: smuggles an index into another region with coerce.
-- Expected: Couldn't match type 's' with 't' (the region role is nominal).
module CoerceIndex (retag) where

import Data.Coerce (coerce)

import HsOmp.Slice

retag :: forall s t. Ix s -> Ix t
retag = coerce
