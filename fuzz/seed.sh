#!/bin/sh
# Seed the fuzz corpora from the test fixtures: every Markdown document,
# every pilotbook.toml and every built-in template under tests/fixtures,
# example-repo and templates. Run from anywhere: `fuzz/seed.sh`.
# Re-running only adds files.
set -eu
cd "$(dirname "$0")/.."
for t in parse_document history_facts config templates; do
    mkdir -p "fuzz/corpus/$t"
done
seed() {
    # $1: target, then the files.
    target="$1"
    shift
    for f in "$@"; do
        cp "$f" "fuzz/corpus/$target/$(printf '%s' "$f" | tr '/ ' '__')"
    done
}
find tests/fixtures example-repo -type f -name '*.md' | while read -r f; do
    seed parse_document "$f"
    seed history_facts "$f"
done
find tests/fixtures example-repo -type f -name 'pilotbook.toml' | while read -r f; do
    seed config "$f"
done
find templates -maxdepth 1 -type f \( -name '*.html' -o -name '*.xml' \) | while read -r f; do
    seed templates "$f"
done
for t in parse_document history_facts config templates; do
    printf '%s: %s seeds\n' "$t" "$(ls "fuzz/corpus/$t" | wc -l)"
done
