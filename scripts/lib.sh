#!/usr/bin/env bash
# Helpers shared by the project's scripts, one file per concern under scripts/lib/. Source this file;
# it defines functions and a few paths. The stores tests, drills and benchmarks start from JavaScript
# are in harness/stores.js; what is here is what bash scripts (npm start, npm test) do themselves.
for part in common install store-choice processes stacks; do
  # shellcheck source=/dev/null
  source "$(dirname "${BASH_SOURCE[0]}")/lib/$part.sh"
done
