#!/bin/sh
# Checks the Debian package made by `cpack -G DEB`, installs it, and builds
# the consumer against it twice: with find_package and with pkg-config.
#
# Usage: deb_consumer.sh DEB_DIR WORK_DIR VERSION CMAKE GENERATOR CXX CONSUMER_DIR
#
# How it is installed:
#  - by default the package is unpacked with `dpkg -x` into WORK_DIR/root; the
#    consumers find it there (CMAKE_PREFIX_PATH, PKG_CONFIG_SYSROOT_DIR). This
#    needs no root and leaves the machine as it was, so it is safe on a shared
#    developer machine and when several builds run their tests at once.
#  - with SIPSAF_TEST_DPKG_INSTALL=1, as root, and no libsipsaf-dev installed
#    already, it is installed for real with `dpkg -i` into /usr, used from
#    there, and removed with `dpkg -r` (also when a step fails). CI sets this.
set -eu
deb_dir=$1 work=$2 version=$3 cmake=$4 generator=$5 cxx=$6 consumer=$7
here=$(cd "$(dirname "$0")" && pwd)
package=libsipsaf-dev

set -- "$deb_dir"/*.deb
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "expected exactly one .deb in $deb_dir" >&2
  exit 1
fi
deb=$1
echo "package: $deb"

# --- control fields ----------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "$package" ] || { echo "Package: $(field Package)" >&2; exit 1; }
[ "$(field Version)" = "$version" ] || { echo "Version: $(field Version)" >&2; exit 1; }
[ "$(field Architecture)" = all ] || { echo "Architecture: $(field Architecture)" >&2; exit 1; }

# --- contents: headers, CMake package and pkg-config file, nothing else -----
rm -rf "$work"
mkdir -p "$work"
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' > "$work/contents"
bad=0
while read -r mode path; do
  case $mode in
    d*)
      case $path in
        ./ | ./usr/ | ./usr/share/ | ./usr/share/cmake/ | ./usr/share/cmake/sipsaf/ | \
          ./usr/share/pkgconfig/ | ./usr/include/ | ./usr/include/sipsaf/*) ;;
        *) echo "unexpected directory in the package: $path" >&2; bad=1 ;;
      esac ;;
    -*)
      case $path in
        ./usr/include/sipsaf.hpp | ./usr/include/sipsaf/*.hpp | ./usr/include/sipsaf/*.ipp | \
          ./usr/share/cmake/sipsaf/sipsaf*.cmake | ./usr/share/pkgconfig/sipsaf.pc) ;;
        *) echo "unexpected file in the package: $path" >&2; bad=1 ;;
      esac ;;
    *) echo "unexpected entry in the package: $mode $path" >&2; bad=1 ;;
  esac
done < "$work/contents"
for f in ./usr/include/sipsaf.hpp ./usr/share/cmake/sipsaf/sipsafConfig.cmake \
         ./usr/share/cmake/sipsaf/sipsafConfigVersion.cmake \
         ./usr/share/cmake/sipsaf/sipsafTargets.cmake ./usr/share/pkgconfig/sipsaf.pc; do
  grep -q " $f\$" "$work/contents" || { echo "missing from the package: $f" >&2; bad=1; }
done
[ $bad -eq 0 ]

# --- install -------------------------------------------------------------------
mode=extract
if [ "${SIPSAF_TEST_DPKG_INSTALL:-0}" = 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "SIPSAF_TEST_DPKG_INSTALL=1 but not root: unpacking instead"
  elif dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q ' installed$'; then
    echo "$package is already installed on this machine: unpacking instead"
  else
    mode=system
  fi
fi

installed() { dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q -v 'not-installed$'; }
if [ $mode = system ]; then
  trap 'dpkg -r "$package" >/dev/null 2>&1 || true' EXIT
  echo "dpkg -i $deb"
  if ! dpkg -i "$deb"; then
    if installed; then
      echo "dpkg -i failed" >&2
      exit 1
    fi
    # Nothing was touched (another dpkg run holds its lock): unpack instead.
    echo "dpkg -i could not run: unpacking instead"
    trap - EXIT
    mode=extract
  fi
fi
if [ $mode = system ]; then
  prefix=/usr
  unset PKG_CONFIG_SYSROOT_DIR || true
  cmake_prefix_path=
else
  echo "dpkg -x $deb $work/root"
  dpkg -x "$deb" "$work/root"
  prefix=$work/root/usr
  PKG_CONFIG_SYSROOT_DIR=$work/root
  export PKG_CONFIG_SYSROOT_DIR
  cmake_prefix_path=$prefix
fi

# --- consumers -------------------------------------------------------------------
echo "--- find_package against $prefix"
"$cmake" -S "$consumer" -B "$work/find_package" -G "$generator" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$cmake_prefix_path" \
  -DSIPSAF_CONSUME=find_package -DSIPSAF_EXPECTED_PREFIX="$prefix"
"$cmake" --build "$work/find_package"
"$work/find_package/consumer" "$version"

echo "--- pkg-config against $prefix"
"$here/pkg_config_consumer.sh" "$prefix/share/pkgconfig" "$cxx" "$consumer/main.cpp" \
  "$work/pkg_config" "$version"

if [ $mode = system ]; then
  echo "dpkg -r $package"
  dpkg -r "$package"
  trap - EXIT
  if [ -e /usr/include/sipsaf.hpp ] || [ -e /usr/share/pkgconfig/sipsaf.pc ]; then
    echo "dpkg -r left files behind" >&2
    exit 1
  fi
fi
echo "deb ($mode): ok"
