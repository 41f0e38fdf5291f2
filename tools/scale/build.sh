#!/usr/bin/env bash
# build.sh SRC_ROOT BUILD_DIR -- build the coherence simulator (README
# "Scale"): hsomp's src/ compiled with GCC's ThreadSanitizer
# instrumentation but linked against sim.c's hooks instead of libtsan,
# rts_glue.c replaced by rts_model.c, and the system calls a waiting
# runtime makes routed to the simulator with ld --wrap.  Prints the
# program's path.
set -euo pipefail
root=$1 out=$2
mkdir -p "$out/obj"
cc=${CC:-gcc}
common=(-O2 -g -D_GNU_SOURCE -pthread -fno-omit-frame-pointer)
inst=(-fsanitize=thread -Wno-tsan -DHSOMP_SCALE_SIM)
objs=()
build() { # build OBJ SRC FLAGS...: recompile when the source or a header is newer
  local obj=$1 src=$2; shift 2
  if [ ! -f "$obj" ] || [ -n "$(find "$src" "$root/src" "$root/tools/scale" -newer "$obj" \( -name '*.h' -o -path "$src" \) 2>/dev/null | head -n 1)" ]; then
    "$cc" "${common[@]}" "$@" -c "$src" -o "$obj"
  fi
  objs+=("$obj")
}
# src/ is grouped in folders and includes headers by name alone: every
# folder is on the include path.
incs=(-I"$root/include" -I"$root/src")
for d in "$root"/src/*/; do incs+=(-I"${d%/}"); done
for src in "$root"/src/*.c "$root"/src/*/*.c; do
  name=$(basename "$src" .c)
  # The RTS glue (rts_glue.c and the program-RTS lookup of rts_program.c)
  # is replaced by rts_model.c.
  case "$name" in rts_glue | rts_program) continue ;; esac
  build "$out/obj/$name.o" "$src" "${inst[@]}" "${incs[@]}"
done
build "$out/obj/rts_model.o" "$root/tools/scale/rts_model.c" "${incs[@]}"
build "$out/obj/sim.o" "$root/tools/scale/sim.c" -I"$root/tools/scale"
build "$out/obj/driver.o" "$root/tools/scale/driver.c" "${inst[@]}" -fopenmp -I"$root/tools/scale"
build "$out/obj/kernels.o" "$root/tools/scale/kernels.c" "${inst[@]}" -I"$root/tools/scale"
build "$out/obj/task_kernels.o" "$root/tools/scale/task_kernels.c" "${inst[@]}" -I"$root/tools/scale"
wraps=(syscall sched_yield sched_getcpu sched_getaffinity sched_setaffinity clock_gettime
       pthread_create pthread_mutex_lock pthread_mutex_trylock pthread_mutex_unlock)
wrapflags=()
for w in "${wraps[@]}"; do wrapflags+=("-Wl,--wrap=$w"); done
"$cc" -no-pie -pthread "${objs[@]}" "${wrapflags[@]}" -lm -o "$out/scale-sim"
echo "$out/scale-sim"
