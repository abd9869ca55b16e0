#!/usr/bin/env bash
# Remakes data/default/ (the embedded default data set) from Debian's packages: apt-get download, dpkg-deb -x,
# then data/make-default.py. Needs apt-get (Debian), dpkg-deb and python3 with Pillow (python3-pil; PYTHON=... to
# use another interpreter). The crops are committed; this only shows, and repeats, how they were made.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download python3-skimage python-matplotlib-data >/dev/null)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
rm -rf "$here/default/train" "$here/default/heldout"
"${PYTHON:-python3}" "$here/make-default.py" "$work/x/usr/lib/python3/dist-packages/skimage/data" \
    "$work/x/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg" "$here/default"
