#!/usr/bin/env bash
# Build the Linux installer, dist/stockdesk_<version>_<arch>.deb, from the PyInstaller bundle.
#
# Usage: scripts/build_installer.sh [--skip-bundle]
#   First runs scripts/build_bundle.sh (builds dist/stockdesk/ and self-tests it: it needs
#   what that script needs); --skip-bundle packs the dist/stockdesk/ already there.
#   The package: the bundle in /opt/stockdesk, /usr/bin/stockdesk linking to it, a desktop
#   entry and the icon. Depends lists the system libraries the bundle needs but does not
#   ship (scripts/deb_depends.py finds them), the fontconfig setup its own libfontconfig
#   reads, and a font with Chinese glyphs. No maintainer scripts: dpkg's triggers (from
#   hicolor-icon-theme and desktop-file-utils, where installed) refresh the icon and menu
#   caches, and nothing of the user's is touched on install, upgrade or removal.
#   scripts/check_installer.sh installs, upgrades and removes the result.
set -euo pipefail
cd "$(dirname "$0")/.."

skip_bundle=false
[[ "${1:-}" == "--skip-bundle" ]] && skip_bundle=true

SECONDS=0
$skip_bundle || scripts/build_bundle.sh
[[ -x dist/stockdesk/stockdesk ]] || { echo "dist/stockdesk is missing: run without --skip-bundle" >&2; exit 1; }
pack_start=$SECONDS

# dpkg orders 0.2.0~rc1 before 0.2.0, as Python does 0.2.0rc1: mark pre-releases with ~.
version="$(.venv/bin/python -c 'import stockdesk; print(stockdesk.__version__)' |
    sed -E 's/^(.*[0-9])\.?((a|b|rc|dev)[0-9]*)$/\1~\2/')"
arch="$(dpkg --print-architecture)"
deb="dist/stockdesk_${version}_${arch}.deb"

libraries="$(.venv/bin/python scripts/deb_depends.py dist/stockdesk)"
# Not libraries, so not found above: the configuration (/etc/fonts) that the bundled
# libfontconfig reads (without it every start says "Fontconfig error: Cannot load default
# config file" and fonts are found by a fallback), and a font with Chinese glyphs for the
# Chinese interface (it has Latin ones too; a bare system has no font at all).
depends="$libraries, fontconfig-config, fonts-wqy-microhei"

root="build/deb/stockdesk"
rm -rf build/deb
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin"
cp -a dist/stockdesk "$root/opt/stockdesk"
# The bootloader finds its _internal folder through /proc/self/exe, so a link will do.
# (stockdesk-cli exists only in the Windows bundle; link it too should Linux get one.)
for program in stockdesk stockdesk-cli; do
    if [[ -x "$root/opt/stockdesk/$program" ]]; then
        ln -s "/opt/stockdesk/$program" "$root/usr/bin/$program"
    fi
done
install -D -m 644 installer/stockdesk.desktop "$root/usr/share/applications/stockdesk.desktop"
png_size="$(.venv/bin/python -c 'import struct, sys
print(struct.unpack(">I", open(sys.argv[1], "rb").read()[16:20])[0])' resources/icons/stockdesk.png)"
install -D -m 644 resources/icons/stockdesk.png \
    "$root/usr/share/icons/hicolor/${png_size}x${png_size}/apps/stockdesk.png"
install -D -m 644 resources/icons/stockdesk.svg \
    "$root/usr/share/icons/hicolor/scalable/apps/stockdesk.svg"
chmod -R u+rwX,go+rX,go-w "$root"

# md5sums lets `dpkg --verify stockdesk` check the installed files.
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
    xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/md5sums"

cat > "$root/DEBIAN/control" <<EOF
Package: stockdesk
Version: $version
Architecture: $arch
Maintainer: StockDesk maintainers <maintainers@users.noreply.r-seed-9f3d084e.example>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: misc
Priority: optional
Description: China A-share daily history collector (baostock to SQLite)
 StockDesk collects the daily K-line history of China's A-share market from
 the free baostock service into a local SQLite database, one job at a time,
 shows each stock succeed or fail and keeps a log of every job. A window and
 the stockdesk command share one engine; "stockdesk --demo" works offline.
 .
 StockDesk 从免费的 baostock 服务采集 A 股日线行情，保存到本地 SQLite 数据库。
 .
 The database, settings and logs live in the user's folders
 (~/.local/share/StockDesk, ~/.config/StockDesk, ~/.local/state/StockDesk),
 which installing, upgrading or removing the package never touches.
EOF

# xz at level 1: 15 s and 48 MB here, where the default level 6 takes 100 s for 43 MB
# (gzip: 20 s, 57 MB).
dpkg-deb -Zxz -z1 --build --root-owner-group "$root" "$deb" >/dev/null
echo "Depends: $depends"
echo "package: $deb, $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes), installs $(du -sh --exclude=DEBIAN "$root" | cut -f1)"
echo "packing time: $((SECONDS - pack_start)) s; total ${SECONDS} s"
