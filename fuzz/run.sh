#!/usr/bin/env bash
# Build and run the fuzz targets on stable Rust: libFuzzer through
# libfuzzer-sys, with the sanitizer-coverage instrumentation passed in
# RUSTFLAGS (what `cargo fuzz build -s none` does on nightly). Run from
# anywhere:
#
#   fuzz/run.sh build                  build every target (debug assertions on)
#   fuzz/run.sh smoke SECONDS          seed the corpora, run each target SECONDS
#   fuzz/run.sh run TARGET SECONDS [libFuzzer options...]
#
# FUZZ_PROFILE=dev builds unoptimised, which compiles in half the time and
# is enough for a smoke run (CI); campaigns use the default, release.
#
# Crashes land in fuzz/artifacts/TARGET/; see fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")"

TARGETS=(parse_document config history_facts templates)
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
# `--target` keeps these flags off build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -Cdebug-assertions -Coverflow-checks \
-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares"

max_len() {
    case "$1" in
        parse_document | history_facts) echo 65536 ;;
        templates) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

PROFILE="${FUZZ_PROFILE:-release}"
case "$PROFILE" in
    release) DIR=release ;;
    dev) DIR=debug ;;
    *) echo "FUZZ_PROFILE is release or dev" >&2; exit 2 ;;
esac

build() {
    cargo build --locked --profile "$PROFILE" --target "$TRIPLE" --bins
}

run() {
    local target="$1" seconds="$2"
    shift 2
    mkdir -p "corpus/$target" "artifacts/$target"
    "target/$TRIPLE/$DIR/$target" "corpus/$target" \
        -artifact_prefix="artifacts/$target/" \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 "$@"
}

case "${1:-}" in
    build) build ;;
    smoke)
        build
        ./seed.sh
        for t in "${TARGETS[@]}"; do
            echo "== $t"
            run "$t" "${2:-10}"
        done
        ;;
    run)
        build
        t="$2" s="$3"
        shift 3
        run "$t" "$s" "$@"
        ;;
    *)
        echo "usage: fuzz/run.sh build | smoke SECONDS | run TARGET SECONDS [options]" >&2
        exit 2
        ;;
esac
