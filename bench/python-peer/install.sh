#!/usr/bin/env bash
# Installs the Python peer for the benchmarks — huggingface_hub (`upload_folder`), the official
# Python client — from Debian packages, without pip or PyPI (neither is reachable here).
#
# huggingface_hub is packaged in Debian unstable (python3-huggingface-hub, arch "all"); its pure
# Python dependencies come from Debian 13 (trixie). The packages are fetched from the Debian mirror,
# checked against the SHA256 in the signed suite's Packages index, and unpacked with `dpkg-deb -x`
# into one folder (nothing is installed system-wide). The system's python3 (3.9 or newer, with its
# own python3-yaml) runs it with PYTHONPATH set: bench/lib/run-python-peer.ts does that.
#
# Usage: bash bench/python-peer/install.sh [DEST]   (default: <repo>/.tmp-bench/python-peer)
# Mirror: HUBPUSH_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$(realpath -m "${1:-$here/../../.tmp-bench/python-peer}")"
mirror="${HUBPUSH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
python="${HUBPUSH_PYTHON:-/usr/bin/python3}"

# package  suite  — the client from unstable, the libraries it needs (newer than bookworm's) from trixie.
packages=(
  "python3-huggingface-hub sid"
  "python3-httpx trixie" "python3-httpcore trixie" "python3-h11 trixie" "python3-anyio trixie"
  "python3-sniffio trixie" "python3-certifi trixie" "python3-idna trixie"
  "python3-typing-extensions trixie" "python3-fsspec trixie" "python3-filelock trixie"
  "python3-packaging trixie" "python3-tqdm trixie" "python3-click trixie" "python3-typer trixie"
  "python3-shellingham trixie" "python3-rich trixie" "python3-markdown-it trixie"
  "python3-mdurl trixie" "python3-pygments trixie"
)

command -v dpkg-deb >/dev/null || { echo "install.sh: dpkg-deb is needed (Debian's dpkg)" >&2; exit 2; }
"$python" -c 'import sys, yaml; assert sys.version_info >= (3, 9)' 2>/dev/null || {
  echo "install.sh: $python must be Python >= 3.9 with PyYAML (apt-get install python3 python3-yaml)" >&2
  exit 2
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for suite in sid trixie; do
  curl -fsS --max-time 300 -o "$work/$suite.xz" "$mirror/dists/$suite/main/binary-amd64/Packages.xz" || {
    echo "install.sh: cannot fetch $mirror/dists/$suite/main/binary-amd64/Packages.xz" >&2
    exit 1
  }
  xz -dc "$work/$suite.xz" >"$work/$suite"
done

rm -rf "$dest.partial"
mkdir -p "$dest.partial/debs"
: >"$dest.partial/versions.txt"
for entry in "${packages[@]}"; do
  read -r pkg suite <<<"$entry"
  # One stanza per package in a suite's index; blank lines separate stanzas.
  stanza="$(awk -v p="$pkg" 'BEGIN { RS = "" } $0 ~ "(^|\n)Package: " p "\n" { print; exit }' "$work/$suite")"
  file="$(sed -n 's/^Filename: //p' <<<"$stanza")"
  sum="$(sed -n 's/^SHA256: //p' <<<"$stanza")"
  version="$(sed -n 's/^Version: //p' <<<"$stanza")"
  [ -n "$file" ] && [ -n "$sum" ] || { echo "install.sh: $pkg is not in Debian $suite" >&2; exit 1; }
  deb="$dest.partial/debs/$(basename "$file")"
  curl -fsS --max-time 300 -o "$deb" "$mirror/$file"
  echo "$sum  $deb" | sha256sum --check --quiet || { echo "install.sh: $file: SHA256 mismatch" >&2; exit 1; }
  dpkg-deb -x "$deb" "$dest.partial/root"
  echo "$pkg $version ($suite)" >>"$dest.partial/versions.txt"
done

PYTHONPATH="$dest.partial/root/usr/lib/python3/dist-packages" "$python" -c \
  'import huggingface_hub; print(huggingface_hub.__version__)' >"$dest.partial/huggingface_hub.version"
rm -rf "$dest" && mv "$dest.partial" "$dest"
echo "huggingface_hub $(cat "$dest/huggingface_hub.version") installed in $dest (python: $python)"
