#!/usr/bin/env bash
# The README's test command: prepare the machine (Debian packages, the default teacher in
# the model cache), then run every test. Tests run in a release build because the
# integration tests run the real SmolLM2 model, which a debug build runs tens of times slower.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
