#!/usr/bin/env bash
# Fails the Maven build early, naming every missing piece of the native toolchain, instead of letting
# cmake or the compiler fail later with a message that does not say what to install.
set -u
missing=()
command -v cmake >/dev/null 2>&1 || missing+=("cmake (Debian package cmake)")
command -v g++ >/dev/null 2>&1 || missing+=("g++ (Debian package g++)")
command -v make >/dev/null 2>&1 || missing+=("make (Debian package make)")
header_present() { echo "#include <$1>" | g++ -E -x c++ - >/dev/null 2>&1; }
if command -v g++ >/dev/null 2>&1; then
  header_present zstd.h || missing+=("zstd headers (Debian package libzstd-dev)")
  header_present zlib.h || missing+=("zlib headers (Debian package zlib1g-dev)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "he-native: cannot build the native library; missing: ${missing[*]}." >&2
  echo "he-native: run scripts/setup.sh (installs them with apt-get) and build again." >&2
  exit 1
fi
