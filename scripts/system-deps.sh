#!/usr/bin/env bash
# The Debian packages Fawtara needs beyond Python: pango and the Noto fonts for
# the Arabic PDFs (WeasyPrint), Chromium for the browser tests (Playwright
# drives it; never `playwright install`), zbar and poppler to read a receipt's
# QR back. Installs what is missing when it can (root, or sudo without a
# password); otherwise names the command and fails.
set -euo pipefail

PACKAGES="fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 zbar-tools poppler-utils"
if [ "${1:-}" = "--tests" ]; then
  PACKAGES="$PACKAGES chromium"
fi

command -v dpkg >/dev/null 2>&1 || {
  echo "system-deps: not a Debian system; install the equivalents of: $PACKAGES" >&2
  exit 0
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=$(for p in $PACKAGES; do installed "$p" || echo "$p"; done | xargs)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "error: missing Debian packages: $missing" >&2
  echo "       run: sudo apt-get install --no-install-recommends $missing" >&2
  exit 1
fi
echo "installing Debian packages: $missing"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -qq --no-install-recommends $missing \
  || { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq --no-install-recommends $missing; }
