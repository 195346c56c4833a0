// GB/T 28181 figures for /metrics: devices registered and online, each device's keep-alive age
// against the limit after which it is declared offline (read from gb_devices at scrape time), and
// the GB pulls the media engine holds (INVITE dialogs up, RTP lost / reordered, re-INVITEs), read
// from the pulls themselves.
import client from 'prom-client';
import type { GbDeviceRow } from '../../store/gb.js';
import { scrapedGauge } from './scrapedGauge.js';
import type { GbPullRtpTotals } from '../gb28181/pull.js';

export interface GbPullFigures {
  deviceId: string;
  channelId: string;
  transport: string;
  state: string;
  invites: number;
  rtpTotals(): GbPullRtpTotals;
}

export interface GbFigureSource {
  devices(): GbDeviceRow[];
  /** Device ids that cameras are configured on: watched even while not registered. */
  cameraDevices(): ReadonlySet<string>;
  /** keepalive_timeout_s × keepalive_misses: silence past this marks a device offline. */
  keepaliveLimitS: number;
  pulls(): GbPullFigures[];
}

export function registerGbFigures(registry: client.Registry, src: GbFigureSource, now: () => number): void {
  const gauge = scrapedGauge(registry);
  // Counters read from the pulls' own totals: set, not incremented, at each scrape.
  const counter = (name: string, help: string, value: (p: GbPullFigures) => number) =>
    new client.Counter({
      name,
      help,
      labelNames: ['device', 'channel', 'transport'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of src.pulls()) this.inc({ device: p.deviceId, channel: p.channelId, transport: p.transport }, value(p));
      },
    });
  const registered = (d: GbDeviceRow) => d.expiresAt > now();

  gauge('vcgw_gb_devices_registered', 'GB/T 28181 devices whose registration holds', [], (g) => g.set(src.devices().filter(registered).length));
  gauge('vcgw_gb_devices_online', 'Registered GB/T 28181 devices keeping alive', [], (g) => g.set(src.devices().filter((d) => registered(d) && d.online).length));
  gauge('vcgw_gb_keepalive_limit_seconds', 'Silence after which a GB device is offline ([gb28181] keepalive_timeout_s × keepalive_misses)', [], (g) =>
    g.set(src.keepaliveLimitS),
  );
  gauge(
    'vcgw_gb_device_keepalive_age_seconds',
    'Seconds since the GB device was last heard (keep-alive or any message); registered devices and those cameras are configured on',
    ['device'],
    (g) => {
      const watched = src.cameraDevices();
      for (const d of src.devices()) if (registered(d) || watched.has(d.deviceId)) g.set({ device: d.deviceId }, Math.max(0, (now() - d.lastSeenAt) / 1000));
    },
  );
  gauge('vcgw_gb_pulls_active', 'GB channels being received (INVITE dialog up, media arriving)', [], (g) => g.set(src.pulls().filter((p) => p.state === 'running').length));
  counter('vcgw_gb_pull_rtp_lost_packets_total', 'RTP packets given up on by the jitter buffer, over the life of the GB pull', (p) => p.rtpTotals().lost);
  counter('vcgw_gb_pull_rtp_reordered_packets_total', 'RTP packets that arrived after a later one, over the life of the GB pull', (p) => p.rtpTotals().reordered);
  counter('vcgw_gb_pull_reinvites_total', 'INVITEs after the first for the GB pull (media loss, dialog ended)', (p) => Math.max(0, p.invites - 1));
}
