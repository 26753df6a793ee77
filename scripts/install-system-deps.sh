#!/usr/bin/env bash
# System packages the test suite needs. Idempotent; runs as root (CI) or through sudo.
set -euo pipefail
packages=(postgresql fonts-noto-cjk libgl1)  # filled in as features need them (chromium, fonts-noto-cjk, poppler-utils, postgresql, aapt…)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
