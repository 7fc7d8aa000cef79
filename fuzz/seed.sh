#!/bin/sh
# Seed the fuzz corpora from the test fixtures: every Markdown document and
# every pilotbook.toml under tests/fixtures and example-repo. Run from the
# repository root: `fuzz/seed.sh`. Re-running only adds files.
set -eu
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/parse_document fuzz/corpus/config
find tests/fixtures example-repo -type f -name '*.md' | while read -r f; do
    cp "$f" "fuzz/corpus/parse_document/$(printf '%s' "$f" | tr '/ ' '__')"
done
find tests/fixtures example-repo -type f -name 'pilotbook.toml' | while read -r f; do
    cp "$f" "fuzz/corpus/config/$(printf '%s' "$f" | tr '/ ' '__')"
done
echo "parse_document: $(ls fuzz/corpus/parse_document | wc -l) seeds; config: $(ls fuzz/corpus/config | wc -l) seeds"
