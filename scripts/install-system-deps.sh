#!/usr/bin/env bash
# Debian packages txlguard needs. Idempotent; runs as root (CI) or through sudo.
#   install-system-deps.sh runtime   what `txlguard` itself needs (OCR, PDF reports with CJK fonts)
#   install-system-deps.sh test      that, plus what the test suite uses (PostgreSQL, pdftotext, Chromium
#                                    for the browser tests; Playwright drives it, never downloads one; aapt,
#                                    framework-res.apk and smali build the APK fixtures of tests/apps; Java 17
#                                    runs smali and the Spark engine's tests)
set -euo pipefail
runtime=(fonts-noto-cjk libgl1 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0)
test_only=(postgresql poppler-utils chromium aapt android-framework-res libsmali-java openjdk-17-jre-headless)
case "${1:-test}" in
  runtime) packages=("${runtime[@]}") ;;
  test) packages=("${runtime[@]}" "${test_only[@]}") ;;
  *) echo "usage: $0 [runtime|test]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
