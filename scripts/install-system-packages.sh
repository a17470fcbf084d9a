#!/usr/bin/env bash
# Installs the Debian packages Yiyang needs, only when they are missing.
#   base: fonts-noto-cjk (PDFs and screenshots), gettext (translation catalogue tools)
#   test: chromium (browser tests through Playwright)
set -euo pipefail
want=()
case "${1:-base}" in
  base)
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || want+=(fonts-noto-cjk)
    command -v msgfmt >/dev/null || want+=(gettext)
    ;;
  test)
    [ -x /usr/bin/chromium ] || want+=(chromium)
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || want+=(fonts-noto-cjk)
    ;;
esac
[ ${#want[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${want[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
