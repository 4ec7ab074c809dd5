#!/bin/sh
# Builds and runs the consumer with nothing but pkg-config and a compiler,
# as a Makefile user would:  c++ main.cpp $(pkg-config --cflags --libs sipsaf)
#
# Usage: pkg_config_consumer.sh PCDIR CXX MAIN_CPP WORK_DIR VERSION
#   PCDIR  directory that must hold the sipsaf.pc found (put first on PKG_CONFIG_PATH)
# PKG_CONFIG_SYSROOT_DIR, when set, is honoured (a package unpacked into a folder).
set -eu
pcdir=$1 cxx=$2 src=$3 work=$4 version=$5

PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH

pkg-config --exists --print-errors sipsaf
found_dir=$(pkg-config --variable=pcfiledir sipsaf)
if [ "$(cd "$found_dir" && pwd -P)" != "$(cd "$pcdir" && pwd -P)" ]; then
  echo "sipsaf.pc found in $found_dir, expected $pcdir" >&2
  exit 1
fi
found_version=$(pkg-config --modversion sipsaf)
if [ "$found_version" != "$version" ]; then
  echo "pkg-config reports sipsaf $found_version, expected $version" >&2
  exit 1
fi

flags=$(pkg-config --cflags --libs sipsaf)
mkdir -p "$work"
echo "$cxx -Wall -Wextra -Wpedantic -Werror $src $flags -o $work/consumer"
# $flags is split on purpose: it is a list of compiler arguments.
# shellcheck disable=SC2086
"$cxx" -Wall -Wextra -Wpedantic -Werror "$src" $flags -o "$work/consumer"
"$work/consumer" "$version"
