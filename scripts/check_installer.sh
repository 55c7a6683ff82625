#!/usr/bin/env bash
# Install, upgrade and remove the .deb as an analyst would, and check that nothing of theirs
# is lost. .ci/run runs it after scripts/build_installer.sh; a developer can too.
#
# Usage: scripts/check_installer.sh [PACKAGE.deb]   (default: the newest dist/stockdesk_*.deb)
#   Runs as root on Debian/Ubuntu with apt-get and desktop-file-validate (desktop-file-utils);
#   with xvfb-run (xvfb, xauth) the self-test also runs on a real X server (Qt's xcb plugin).
#   Stops at once if a stockdesk package is installed already (it would be replaced), and
#   removes the package it installed when it stops, whether the checks passed or not.
#
#   1. apt-get install ./PACKAGE.deb (pulling its Depends); `stockdesk` on the PATH.
#   2. The INSTALLED program's --self-test, offscreen (and on Xvfb), from an empty folder
#      with an empty HOME; the desktop entry passes desktop-file-validate; the icons exist.
#   3. A database made by the installed program in HOME's default place (a demo job).
#   4. Upgrade: the same package repacked as VERSION+check1, installed over it; the database
#      is the same file, byte for byte, and the job is still listed.
#   5. apt-get remove: none of the package's files is left (nor /opt/stockdesk, nor
#      /usr/bin/stockdesk*), and the user's database and log are still there, unchanged.
#   Running the program as root must not have written into /opt/stockdesk either.
set -euo pipefail
cd "$(dirname "$0")/.."

deb="$(realpath "${1:-$(ls -t dist/stockdesk_*.deb | head -n 1)}")"
[[ $EUID -eq 0 ]] || { echo "run as root: it installs and removes a package" >&2; exit 1; }
command -v desktop-file-validate >/dev/null || { echo "desktop-file-validate is missing (apt-get install desktop-file-utils)" >&2; exit 1; }
if dpkg-query -W -f '${Status}' stockdesk 2>/dev/null | grep -q ' installed$'; then
    echo "a stockdesk package is installed already: remove it first (apt-get remove stockdesk)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_get() {  # quiet apt-get that waits for another apt to finish; its output goes to $log
    apt-get -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; return 1; }
}

work="$(mktemp -d)"
chmod 755 "$work"  # apt reads local packages as the _apt user
home="$work/home"
log="$work/apt.log"
mkdir "$home"
cleanup() {
    if dpkg-query -W -f '${Status}' stockdesk 2>/dev/null | grep -q ' installed$'; then
        apt-get -o DPkg::Lock::Timeout=300 remove -y -qq stockdesk >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The analyst's shell: an empty HOME (so the default folders are under it), outside the checkout.
as_user() {
    (cd "$home" && env -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u STOCKDESK_DB \
        -u STOCKDESK_SERVER HOME="$home" "$@")
}
# Qt's offscreen plugin says "does not support propagateSizeHints()" for every window.
qt() { "$@" 2> >(grep -v 'does not support propagateSizeHints' >&2); }
fail() { echo "FAILED: $*" >&2; exit 1; }
step() { echo "== $* ($SECONDS s)"; }

SECONDS=0
step "install $(basename "$deb")"
apt_get install -y "$deb"
grep -E '^(Unpacking|Setting up) stockdesk|newly installed' "$log"
version="$(dpkg-query -W -f '${Version}' stockdesk)"
[[ "$(command -v stockdesk)" == /usr/bin/stockdesk ]] || fail "stockdesk is not /usr/bin/stockdesk"
dpkg-query -W -f '${Depends}\n' stockdesk | sed 's/^/Depends: /'

step "installed self-test"
qt as_user env QT_QPA_PLATFORM=offscreen stockdesk --self-test
if command -v xvfb-run >/dev/null; then
    as_user xvfb-run -a -s "-screen 0 1280x900x24" env -u QT_QPA_PLATFORM stockdesk --self-test |
        sed 's/^/xcb: /'
fi
desktop-file-validate /usr/share/applications/stockdesk.desktop
echo "desktop entry valid"
for icon in /usr/share/icons/hicolor/*/apps/stockdesk.{png,svg}; do
    [[ -s "$icon" ]] || fail "icon $icon is missing"
done

step "a database made by the installed program"
as_user stockdesk collect --demo --start 2024-01-02 --end 2024-01-31 --universe sz50 \
    >/dev/null 2>"$work/collect.err" || { cat "$work/collect.err" >&2; fail "collect"; }
db="$home/.local/share/StockDesk/stockdesk-demo.db"
[[ -s "$db" ]] || fail "the demo database is not at $db"
job="$(as_user stockdesk jobs list --demo 2>/dev/null | awk 'NR == 1 {print $1}')"
[[ "$job" == historical_collection_* ]] || fail "no job listed"
before="$(sha256sum <"$db")"
echo "job $job in $db"

step "upgrade to $version+check1"
mkdir "$work/next"
dpkg-deb -R "$deb" "$work/next/root"
sed -i "s/^Version: .*/Version: $version+check1/" "$work/next/root/DEBIAN/control"
dpkg-deb -Znone --build --root-owner-group "$work/next/root" "$work/next/stockdesk.deb" >/dev/null
: >"$log"
apt_get install -y "$work/next/stockdesk.deb"
grep -E '^(Unpacking|Setting up) stockdesk' "$log"
[[ "$(dpkg-query -W -f '${Version}' stockdesk)" == "$version+check1" ]] || fail "not upgraded"
[[ "$(sha256sum <"$db")" == "$before" ]] || fail "the upgrade changed the database"
as_user stockdesk jobs list --demo 2>/dev/null | grep -q "^$job " || fail "the job is gone after the upgrade"
qt as_user env QT_QPA_PLATFORM=offscreen stockdesk --self-test >/dev/null || fail "self-test after the upgrade"
echo "database unchanged, job still listed"

# Root ran the program above: it must have left nothing in the program's folder.
extra="$(comm -13 <(dpkg -L stockdesk | sort -u) <(find /opt/stockdesk | sort))"
[[ -z "$extra" ]] || fail "files in /opt/stockdesk that the package did not install: $extra"
dpkg --verify stockdesk || fail "installed files were changed"

step "remove"
files="$(dpkg -L stockdesk | sort -u)"
before="$(sha256sum <"$db")"
: >"$log"
apt_get remove -y stockdesk
grep -E '^Removing stockdesk' "$log"
left=""
while IFS= read -r path; do  # the package's folders may hold other packages' files
    if [[ -e "$path" && ! -d "$path" ]]; then left+=" $path"; fi
done <<<"$files"
[[ -e /opt/stockdesk ]] && left+=" /opt/stockdesk"
compgen -G '/usr/bin/stockdesk*' >/dev/null && left+=" $(compgen -G '/usr/bin/stockdesk*' | tr '\n' ' ')"
[[ -z "$left" ]] || fail "left behind:$left"
[[ "$(sha256sum <"$db")" == "$before" ]] || fail "the removal changed the database"
[[ -s "$home/.local/state/StockDesk/log/stockdesk.log" ]] || fail "the log is gone"
echo "nothing left in /opt/stockdesk or /usr/bin; the user's database and log are intact"
echo "installer check passed in $SECONDS s"
