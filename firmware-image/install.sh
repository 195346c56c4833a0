#!/bin/sh
# Installs the unpacked bundle on the roadside box: /opt/vcgw, the vcgw user, the unit.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
sh "$src/check-host.sh" || exit 1
id vcgw >/dev/null 2>&1 || useradd --system --home /var/lib/vcgw --shell /usr/sbin/nologin vcgw
rm -rf /opt/vcgw.new && cp -a "$src" /opt/vcgw.new && rm -rf /opt/vcgw && mv /opt/vcgw.new /opt/vcgw
ln -sf /opt/vcgw/bin/vcgw /usr/local/bin/vcgw
install -d -m 0750 -o root -g vcgw /etc/vcgw
[ -f /etc/vcgw/gateway.toml ] || install -m 0640 -o root -g vcgw /opt/vcgw/gateway.example.toml /etc/vcgw/gateway.toml
install -m 0644 /opt/vcgw/vcgw.service /etc/systemd/system/vcgw.service
systemctl daemon-reload
echo "Installed. Edit /etc/vcgw/gateway.toml, check it with 'vcgw --config /etc/vcgw/gateway.toml status', then: systemctl enable --now vcgw"
