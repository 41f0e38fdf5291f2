-- | Foreign imports of the OpenMP C kernels in cbits/kernels.c, shared by
-- the test-suite and the benchmarks.  Kernels that run parallel regions are
-- imported @safe@ (the documented pattern); their sequential twins and the
-- tiny functions also @unsafe@, for the calling-convention measurements.
module Kernels where

import Foreign.C.Types
import Foreign.Ptr
import Foreign.Storable (peekElemOff, pokeElemOff)

foreign import ccall safe "k_dot" c_dot :: Ptr CDouble -> Ptr CDouble -> CLong -> IO CDouble
foreign import ccall unsafe "k_dot_seq" c_dot_seq :: Ptr CDouble -> Ptr CDouble -> CLong -> IO CDouble
foreign import ccall safe "k_saxpy" c_saxpy :: CFloat -> Ptr CFloat -> Ptr CFloat -> CLong -> IO ()
foreign import ccall unsafe "k_saxpy_seq" c_saxpy_seq :: CFloat -> Ptr CFloat -> Ptr CFloat -> CLong -> IO ()
foreign import ccall safe "k_sin_sum" c_sin_sum :: CLong -> IO CDouble
foreign import ccall unsafe "k_sin_sum_seq" c_sin_sum_seq :: CLong -> IO CDouble

foreign import ccall safe "k_spin_region"
  c_spin_region :: CInt -> CDouble -> Ptr CDouble -> Ptr CDouble -> IO CInt
foreign import ccall safe "k_team_info" c_team_info :: CInt -> Ptr CInt -> IO CInt
foreign import ccall safe "k_small_region" c_small_region :: CInt -> CLong -> IO CLong

-- | struct cb_slot { long thread, calls, value; }
foreign import ccall safe "k_callbacks"
  c_callbacks :: CInt -> FunPtr (Ptr () -> Ptr () -> IO ()) -> Ptr () -> CLong -> Ptr CLong -> IO ()
foreign import ccall safe "k_callbacks_fp"
  c_callbacks_fp :: CInt -> FunPtr (Ptr CLong -> IO ()) -> CLong -> Ptr CLong -> IO ()

-- | A callback body for 'c_callbacks': counts the call in its thread's
-- slot (the slot's @calls@, at the pointer the kernel passes).
countCall :: Ptr CLong -> IO ()
countCall q = do
  c <- peekElemOff q 1
  pokeElemOff q 1 (c + 1)

foreign import ccall safe "k_noop" c_noop_safe :: Ptr () -> IO ()
foreign import ccall unsafe "k_noop" c_noop_unsafe :: Ptr () -> IO ()
foreign import ccall "&k_noop" p_noop :: FunPtr (Ptr a -> IO ())
foreign import ccall "&k_incr" p_incr :: FunPtr (Ptr CLong -> IO ())
foreign import ccall safe "k_incr" c_incr_safe :: Ptr CLong -> IO ()
foreign import ccall "&k_log_value" p_log_value :: FunPtr (Ptr CLong -> IO ())
foreign import ccall unsafe "k_log_take" c_log_take :: Ptr CLong -> CLong -> IO CLong
foreign import ccall "&k_slow_incr" p_slow_incr :: FunPtr (Ptr CLong -> IO ())
foreign import ccall "&k_region_incr" p_region_incr :: FunPtr (Ptr CLong -> IO ())
foreign import ccall "&k_sum_array" p_sum_array :: FunPtr (Ptr CLong -> IO CIntPtr)
foreign import ccall "&k_square_into" p_square_into :: FunPtr (Ptr CLong -> CLong -> IO ())

foreign import ccall safe "hsomp_hs_parallel_for_c"
  c_parallel_for_c :: FunPtr (Ptr CLong -> CLong -> IO ()) -> Ptr CLong -> CLong -> CLong -> CInt
                   -> CLong -> CUInt -> IO ()

foreign import ccall unsafe "k_sin_sum_range" c_sin_sum_range :: CLong -> CLong -> IO CDouble
foreign import ccall safe "k_call_n"
  c_call_n :: FunPtr (Ptr () -> Ptr () -> IO ()) -> Ptr () -> CLong -> Ptr () -> IO ()
foreign import ccall safe "k_call_fp_n" c_call_fp_n :: FunPtr (Ptr () -> IO ()) -> CLong -> Ptr () -> IO ()
foreign import ccall safe "k_call_n_session" c_call_n_session :: Ptr () -> CLong -> Ptr () -> IO ()
