#!/bin/sh
# Builds the Java runtime layer of the registry-free OCI image (Maven profile oci-local): a
# jlink'd runtime of this machine's JDK in /opt/java, the shared libraries it loads (found with
# ldd), /etc/passwd and /etc/group with the image's user (10001) and a /tmp. Jib adds it to a
# "scratch" base; nothing is downloaded.
#   packaging/oci/jre-rootfs.sh OUT_DIR [JAVA_HOME]
set -eu
OUT=$1
JDK=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}}
rm -rf "$OUT"
mkdir -p "$OUT/opt" "$OUT/etc" "$OUT/tmp" "$OUT/var/cache/mms-edge" "$OUT/etc/mms-edge"
# java.se: what mms-edge and its libraries use (XML for log4j, java.net.http for prestuff,
# java.management for metrics); jdk.unsupported: sun.misc.Signal (drain on SIGTERM).
"$JDK/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.zipfs \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$OUT/opt/java"
# Every shared library the runtime's binaries and libraries need, at the path ldd resolved.
find "$OUT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print | while read -r f; do
  ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}'
done | sort -u | grep -v "^$OUT/" | while read -r lib; do
  mkdir -p "$OUT$(dirname "$lib")"
  cp -L "$lib" "$OUT$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nmmsedge:x:10001:10001:mms-edge:/var/cache/mms-edge:/sbin/nologin\n' \
  > "$OUT/etc/passwd"
printf 'root:x:0:\nmmsedge:x:10001:\n' > "$OUT/etc/group"
