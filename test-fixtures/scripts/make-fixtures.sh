#!/usr/bin/env bash
# Regenerates the ASF test media in test-fixtures/media/ (idempotent, deterministic).
# Synthetic lavfi sources only (testsrc2 + sine): no third-party content.
# Usage: test-fixtures/scripts/make-fixtures.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${here}/../media"
mkdir -p "${out}"
force=0
[[ "${1:-}" == "--force" ]] && force=1

command -v ffmpeg >/dev/null || { echo "ffmpeg not found in PATH" >&2; exit 1; }

BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1)
VIDEO_SRC() { echo "testsrc2=size=320x240:rate=25:duration=$1"; }
AUDIO_SRC() { echo "sine=frequency=440:sample_rate=22050:duration=$1"; }

make() {
  local name="$1"; shift
  local dst="${out}/${name}"
  if [[ -f "${dst}" && ${force} -eq 0 ]]; then
    echo "keep ${name}"
    return
  fi
  local tmp="${dst}.tmp.asf"
  ffmpeg -nostdin -hide_banner -loglevel error -y "$@" "${BITEXACT[@]}" -f asf "${tmp}"
  mv -f "${tmp}" "${dst}"
  echo "made ${name} ($(stat -c %s "${dst}") bytes)"
}

le_u64() { # le_u64 FILE OFFSET -> decimal value of the little-endian 64-bit field
  local hex
  hex="$(od -An -tx1 -j "$2" -N 8 "$1" | tr -d ' \n')"
  local out="" i
  for ((i = 14; i >= 0; i -= 2)); do out+="${hex:i:2}"; done
  echo $((16#${out}))
}

# Audio + video, 12 s, key frame every second (-g 25 at 25 fps), WITHOUT a Simple
# Index: the file is muxed seekable (so the header carries real sizes, counts and
# durations) and then cut right after the Data Object, dropping the index. The
# File Properties "File Size" field still counts the removed index bytes; readers
# must not trust it (AsfFile validates against the real length).
make_av() {
  local dst="${out}/av.asf"
  if [[ -f "${dst}" && ${force} -eq 0 ]]; then echo "keep av.asf"; return; fi
  local tmp="${dst}.tmp.asf"
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "$(VIDEO_SRC 12)" -f lavfi -i "$(AUDIO_SRC 12)" \
    -map 0:v -map 1:a -c:v wmv2 -b:v 150k -g 25 -c:a wmav2 -b:a 32k -ac 1 \
    "${BITEXACT[@]}" -f asf "${tmp}"
  local header_size data_size
  header_size="$(le_u64 "${tmp}" 16)"
  data_size="$(le_u64 "${tmp}" $((header_size + 16)))"
  truncate -s $((header_size + data_size)) "${tmp}"
  mv -f "${tmp}" "${dst}"
  echo "made av.asf ($(stat -c %s "${dst}") bytes, index removed)"
}
make_av

# Audio only, 8 s.
make audio.asf \
  -f lavfi -i "$(AUDIO_SRC 8)" -map 0:a -c:a wmav2 -b:a 32k -ac 1

# Multi-bitrate: two video streams (target 100k and 300k) + one audio stream, 8 s.
# 160x120 so that the rate control can actually reach two distinct rates.
make mbr.asf \
  -f lavfi -i "testsrc2=size=160x120:rate=25:duration=8" -f lavfi -i "$(AUDIO_SRC 8)" \
  -map 0:v -map 0:v -map 1:a -c:v wmv2 -b:v:0 100k -b:v:1 300k -g 25 \
  -c:a wmav2 -b:a 32k -ac 1

# Seekable output: the asf muxer appends a Simple Index Object, 8 s.
make indexed.asf \
  -f lavfi -i "$(VIDEO_SRC 8)" -f lavfi -i "$(AUDIO_SRC 8)" \
  -map 0:v -map 1:a -c:v wmv2 -b:v 150k -g 25 -c:a wmav2 -b:a 32k -ac 1

# Substantial padding: FFmpeg's muxer never splits an audio frame across packets, so with
# 743-byte audio frames (wmav2 128k at 44.1 kHz) and 1400-byte packets most packets end
# with several hundred bytes of padding (about a quarter of all bytes). 6 s, tiny video.
make padded.asf \
  -f lavfi -i "testsrc2=size=160x120:rate=25:duration=6" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=6" \
  -map 0:v -map 1:a -c:v wmv2 -b:v 30k -g 25 -c:a wmav2 -b:a 128k -ac 1 \
  -packet_size 1400
