#!/bin/sh
# Builds the libFuzzer targets with clang++ into BUILD_DIR and runs each for SECONDS.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# SECONDS defaults to $FUZZ_SECONDS, else 10; 0 only builds. TARGETs are rangeheader,
# exportroot, imagecodec, stripmessage, jobsubmission and bridgehello (default: all). New interesting inputs go to
# BUILD_DIR/corpus/TARGET (the seeds in tests/fuzz/corpus/ are read, never written); a crash leaves BUILD_DIR/crash-* and fails.
# Exit 77 if clang++ cannot build fuzzers here (ctest reports that test as skipped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-${FUZZ_SECONDS:-10}}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-rangeheader exportroot imagecodec stripmessage jobsubmission bridgehello}

cxx=${STARLING_FUZZ_CXX:-}
if [ -z "$cxx" ]; then
    for candidate in clang++ clang++-14; do
        if command -v "$candidate" >/dev/null 2>&1; then cxx=$(command -v "$candidate"); break; fi
    done
fi
if [ -z "$cxx" ]; then
    echo "fuzz: SKIPPED, no clang++ (install clang and libclang-rt-14-dev)" >&2
    exit 77
fi
# The probe runs once, before the first configure: ctest runs several targets at once on a
# configured build, and a probe failing under load there would skip a fuzzer silently.
if [ ! -f "$build/CMakeCache.txt" ]; then
    mkdir -p "$build"
    if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char *, unsigned long) { return 0; }' |
        "$cxx" -x c++ -fsanitize=fuzzer -o "$build/probe" - 2>/dev/null; then
        echo "fuzz: SKIPPED, $cxx cannot link libFuzzer (install libclang-rt-14-dev)" >&2
        exit 77
    fi
    rm -f "$build/probe"
fi

launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
if [ ! -f "$build/CMakeCache.txt" ]; then
    # shellcheck disable=SC2086
    cmake -S "$here" -B "$build" $generator -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER="$cxx" $launcher >/dev/null
fi
cmake --build "$build" -j 2 >/dev/null || cmake --build "$build" -j 1

[ "$seconds" = 0 ] && exit 0
for target in $targets; do
    mkdir -p "$build/corpus/$target"
    echo "fuzz: $target for ${seconds}s"
    # libFuzzer's own exit code for a crash is 77, which ctest would report as skipped.
    "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -error_exitcode=1 \
        -print_final_stats=1 -artifact_prefix="$build/" \
        "$build/corpus/$target" "$here/corpus/$target"
done
