// GB/T 28181 devices (registrations, keep-alive state, DeviceInfo, clock drift), their catalogued
// channels (camera candidates keyed by the 20-digit channel id), and requests the CLI leaves for
// the daemon. The daemon writes; `vcgw gb …` reads the same file.
import type { CatalogItem } from '../protocols/gb28181/index.js';
import type { Db } from './db.js';

export interface GbDeviceRow {
  deviceId: string;
  transport: string;
  address: string;
  port: number;
  edition: string | null;
  expiresAt: number;
  registeredAt: number;
  lastSeenAt: number;
  online: boolean;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  channelCount: number | null;
  clockDriftMs: number | null;
  clockCheckedAt: number | null;
  catalogAt: number | null;
  catalogComplete: boolean | null;
}

export interface GbChannelRow {
  channelId: string;
  deviceId: string;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  status: string | null;
  ptzType: number | null;
  parentId: string | null;
  item: CatalogItem;
}

export type GbRequestKind = 'catalog' | 'info' | 'status' | 'ptz' | 'presets';

export interface GbRequestRow {
  id: number;
  deviceId: string;
  kind: GbRequestKind;
  /** JSON, kind-specific (the channel and the PTZ command or preset operation). */
  params: string | null;
  createdAt: number;
  /** Past this the daemon must not act on it (it finishes it as expired). */
  expiresAt: number | null;
  /** When the daemon took it. */
  claimedAt: number | null;
  doneAt: number | null;
  result: string | null;
}

interface RawDevice {
  device_id: string;
  transport: string;
  address: string;
  port: number;
  edition: string | null;
  expires_at: number;
  registered_at: number;
  last_seen_at: number;
  online: number;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  channel_count: number | null;
  clock_drift_ms: number | null;
  clock_checked_at: number | null;
  catalog_at: number | null;
  catalog_complete: number | null;
}

const deviceFromRow = (r: RawDevice): GbDeviceRow => ({
  deviceId: r.device_id,
  transport: r.transport,
  address: r.address,
  port: r.port,
  edition: r.edition,
  expiresAt: r.expires_at,
  registeredAt: r.registered_at,
  lastSeenAt: r.last_seen_at,
  online: r.online === 1,
  name: r.name,
  manufacturer: r.manufacturer,
  model: r.model,
  firmware: r.firmware,
  channelCount: r.channel_count,
  clockDriftMs: r.clock_drift_ms,
  clockCheckedAt: r.clock_checked_at,
  catalogAt: r.catalog_at,
  catalogComplete: r.catalog_complete === null ? null : r.catalog_complete === 1,
});

interface RawChannel {
  channel_id: string;
  device_id: string;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  status: string | null;
  ptz_type: number | null;
  parent_id: string | null;
  item: string;
}

const channelFromRow = (r: RawChannel): GbChannelRow => ({
  channelId: r.channel_id,
  deviceId: r.device_id,
  name: r.name,
  manufacturer: r.manufacturer,
  model: r.model,
  status: r.status,
  ptzType: r.ptz_type,
  parentId: r.parent_id,
  item: JSON.parse(r.item) as CatalogItem,
});

interface RawRequest {
  id: number;
  device_id: string;
  kind: GbRequestKind;
  params: string | null;
  created_at: number;
  expires_at: number | null;
  claimed_at: number | null;
  done_at: number | null;
  result: string | null;
}

const requestFromRow = (r: RawRequest): GbRequestRow => ({
  id: r.id,
  deviceId: r.device_id,
  kind: r.kind,
  params: r.params,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  claimedAt: r.claimed_at,
  doneAt: r.done_at,
  result: r.result,
});

export class GbStore {
  constructor(readonly db: Db) {}

  devices(): GbDeviceRow[] {
    return (this.db.prepare('SELECT * FROM gb_devices ORDER BY device_id').all() as RawDevice[]).map(deviceFromRow);
  }

  device(deviceId: string): GbDeviceRow | undefined {
    const r = this.db.prepare('SELECT * FROM gb_devices WHERE device_id = ?').get(deviceId) as RawDevice | undefined;
    return r && deviceFromRow(r);
  }

  /** A (re-)registration: where the device is reached now, and until when. */
  registered(d: { deviceId: string; transport: string; address: string; port: number; edition: string | null; expiresAt: number }, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO gb_devices (device_id, transport, address, port, edition, expires_at, registered_at, last_seen_at, online, updated_at)
         VALUES (@deviceId, @transport, @address, @port, @edition, @expiresAt, @now, @now, 1, @now)
         ON CONFLICT (device_id) DO UPDATE SET transport = excluded.transport, address = excluded.address, port = excluded.port,
           edition = excluded.edition, expires_at = excluded.expires_at, registered_at = excluded.registered_at,
           last_seen_at = excluded.last_seen_at, online = 1, updated_at = excluded.updated_at`,
      )
      .run({ ...d, now });
  }

  /** Expires 0 or an expired registration: kept (with its channels) but offline. */
  unregistered(deviceId: string, now = Date.now()): void {
    this.db.prepare('UPDATE gb_devices SET online = 0, expires_at = @now, updated_at = @now WHERE device_id = @deviceId').run({ deviceId, now });
  }

  seen(deviceId: string, now = Date.now()): void {
    this.db.prepare('UPDATE gb_devices SET last_seen_at = @now, online = 1, updated_at = @now WHERE device_id = @deviceId').run({ deviceId, now });
  }

  setOnline(deviceId: string, online: boolean, now = Date.now()): void {
    this.db.prepare('UPDATE gb_devices SET online = @online, updated_at = @now WHERE device_id = @deviceId').run({ deviceId, online: online ? 1 : 0, now });
  }

  setInfo(deviceId: string, info: { name?: string; manufacturer?: string; model?: string; firmware?: string; channel?: number }, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE gb_devices SET name = @name, manufacturer = @manufacturer, model = @model, firmware = @firmware,
           channel_count = @channel, updated_at = @now WHERE device_id = @deviceId`,
      )
      .run({ deviceId, name: info.name ?? null, manufacturer: info.manufacturer ?? null, model: info.model ?? null, firmware: info.firmware ?? null, channel: info.channel ?? null, now });
  }

  setClockDrift(deviceId: string, driftMs: number, now = Date.now()): void {
    this.db.prepare('UPDATE gb_devices SET clock_drift_ms = @driftMs, clock_checked_at = @now, updated_at = @now WHERE device_id = @deviceId').run({ deviceId, driftMs, now });
  }

  /**
   * A catalog answer. A complete one replaces the device's channel list; an incomplete one only
   * adds and updates (a lost page must not make channels disappear).
   */
  putCatalog(deviceId: string, items: readonly CatalogItem[], complete: boolean, now = Date.now()): void {
    const upsert = this.db.prepare(
      `INSERT INTO gb_channels (channel_id, device_id, name, manufacturer, model, status, ptz_type, parent_id, item, updated_at)
       VALUES (@channelId, @deviceId, @name, @manufacturer, @model, @status, @ptzType, @parentId, @item, @now)
       ON CONFLICT (device_id, channel_id) DO UPDATE SET name = excluded.name, manufacturer = excluded.manufacturer, model = excluded.model,
         status = excluded.status, ptz_type = excluded.ptz_type, parent_id = excluded.parent_id, item = excluded.item, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      if (complete) this.db.prepare('DELETE FROM gb_channels WHERE device_id = ?').run(deviceId);
      for (const it of items) {
        upsert.run({
          channelId: it.deviceId,
          deviceId,
          name: it.name ?? null,
          manufacturer: it.manufacturer ?? null,
          model: it.model ?? null,
          status: it.status ?? null,
          ptzType: it.ptzType ?? null,
          parentId: it.parentId ?? null,
          item: JSON.stringify(it),
          now,
        });
      }
      this.db.prepare('UPDATE gb_devices SET catalog_at = @now, catalog_complete = @complete WHERE device_id = @deviceId').run({ deviceId, now, complete: complete ? 1 : 0 });
    })();
  }

  setChannelStatus(deviceId: string, channelId: string, status: 'ON' | 'OFF', now = Date.now()): boolean {
    return this.db.prepare('UPDATE gb_channels SET status = @status, updated_at = @now WHERE device_id = @deviceId AND channel_id = @channelId').run({ deviceId, channelId, status, now }).changes > 0;
  }

  channels(deviceId: string): GbChannelRow[] {
    return (this.db.prepare('SELECT * FROM gb_channels WHERE device_id = ? ORDER BY channel_id').all(deviceId) as RawChannel[]).map(channelFromRow);
  }

  /** Every device holding a channel with this id (normally one). */
  channelById(channelId: string): GbChannelRow[] {
    return (this.db.prepare('SELECT * FROM gb_channels WHERE channel_id = ? ORDER BY device_id').all(channelId) as RawChannel[]).map(channelFromRow);
  }

  addRequest(deviceId: string, kind: GbRequestKind, opts: { params?: unknown; expiresAt?: number } = {}, now = Date.now()): number {
    const params = opts.params === undefined ? null : JSON.stringify(opts.params);
    return Number(
      this.db
        .prepare('INSERT INTO gb_requests (device_id, kind, params, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(deviceId, kind, params, now, opts.expiresAt ?? null).lastInsertRowid,
    );
  }

  /** Not yet taken by the daemon. */
  pendingRequests(): GbRequestRow[] {
    return (this.db.prepare('SELECT * FROM gb_requests WHERE done_at IS NULL AND claimed_at IS NULL ORDER BY id').all() as RawRequest[]).map(requestFromRow);
  }

  /** The daemon takes a request; false if it was taken or withdrawn already. */
  claimRequest(id: number, now = Date.now()): boolean {
    return this.db.prepare('UPDATE gb_requests SET claimed_at = ? WHERE id = ? AND claimed_at IS NULL AND done_at IS NULL').run(now, id).changes > 0;
  }

  /** The CLI gives up on a request; false if the daemon took it first (its result will still come). */
  withdrawRequest(id: number, now = Date.now()): boolean {
    return this.db.prepare(`UPDATE gb_requests SET done_at = ?, result = '{"ok":false,"error":"withdrawn"}' WHERE id = ? AND claimed_at IS NULL AND done_at IS NULL`).run(now, id).changes > 0;
  }

  request(id: number): GbRequestRow | undefined {
    const r = this.db.prepare('SELECT * FROM gb_requests WHERE id = ?').get(id) as RawRequest | undefined;
    return r && requestFromRow(r);
  }

  finishRequest(id: number, result: string, now = Date.now()): void {
    this.db.prepare('UPDATE gb_requests SET done_at = ?, result = ? WHERE id = ?').run(now, result, id);
  }

  /** Answered requests are only read by the CLI that left them; a day is plenty. */
  pruneRequests(olderThanMs: number, now = Date.now()): void {
    this.db.prepare('DELETE FROM gb_requests WHERE created_at < ?').run(now - olderThanMs);
  }
}
