// The part of `vcgw doctor` that looks at this gateway's setup rather than the machine: the
// example's placeholder secrets, whether the province can be reached and trusted (a real
// handshake) and has ever given a token, and whether every camera can be reached and labelled.
import fs from 'node:fs';
import path from 'node:path';
import { PLACEHOLDERS } from '../config/example.js';
import type { Config } from '../config/schema/index.js';
import { splitInput } from '../modules/cameras/input.js';
import { cameraEndpoint, NO_ADDRESS } from '../modules/health/netcheck.js';
import { cameraOverlay, overlayErrorsText } from '../modules/overlay/camera.js';
import { provinceTls } from '../modules/uplinks/province/tls.js';
import type { CameraRecord } from '../domain/camera.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { checkProvinceLink, type ProvinceTls } from '../protocols/province/tlsDiagnosis.js';
import { CameraStore, type StoredCamera } from '../store/cameras.js';
import { DB_FILE, openDb } from '../store/db.js';
import { GbStore, type GbDeviceRow } from '../store/gb.js';
import { TokenStore, type TokenRow } from '../store/tokens.js';
import type { Check } from './doctorCheck.js';
import { tokenCheck } from './doctorToken.js';


/** A doctor run may precede the first start: it reads the database only when there is one, and never creates it. */
export function readState(dataDir: string): { token: TokenRow | undefined; cameras: StoredCamera[]; gbDevices: GbDeviceRow[] } | undefined {
  if (!fs.existsSync(path.join(dataDir, DB_FILE))) return undefined;
  const db = openDb(dataDir, { readonly: true });
  try {
    return { token: new TokenStore(db).current(), cameras: new CameraStore(db).all(), gbDevices: new GbStore(db).devices() };
  } finally {
    db.close();
  }
}

function placeholderChecks(p: Config['province']): Check[] {
  const checks: Check[] = [];
  if (p.sm2_private_key?.toLowerCase() === PLACEHOLDERS.sm2PrivateKey) {
    checks.push({ check: 'province.sm2_private_key', result: 'FAIL', detail: "the example's placeholder key: set the key issued with this gateway" });
  }
  if (p.token === PLACEHOLDERS.token) {
    checks.push({ check: 'province.token', result: 'FAIL', detail: "the example's sample token: set the initial token issued with this gateway" });
  }
  return checks;
}

/** A province certificate closer to its end than this is named (time to get the renewed one). */
const CERT_WARN_DAYS = 30;

async function provinceCheck(config: Config, token: TokenRow | undefined): Promise<Check> {
  const p = config.province;
  let material: ProvinceTls;
  try {
    material = provinceTls(p);
  } catch (err) {
    return { check: 'province link', result: 'FAIL', detail: err instanceof Error ? err.message : String(err) };
  }
  const timeoutMs = Math.min(p.request_timeout_ms, 5000);
  const links = await Promise.all([p.base_url, ...p.backup_base_urls].map((url) => checkProvinceLink(url, material, timeoutMs)));
  const contacted =
    token?.origin === 'platform' ? `token from the province ${beijingDateTime(token.obtainedAt)} (Beijing time)` : 'never contacted: no token from the province yet';
  const detail = `${links.map((l) => l.detail).join('; ')}; ${contacted}`;
  if (!links.some((l) => l.ok)) return { check: 'province link', result: 'FAIL', detail, fix: 'check the VPN/leased line to the province and province.base_url; the certificate detail above names what does not fit' };
  const soonest = Math.min(...links.map((l) => (l.ok && l.validTo !== undefined ? l.validTo : Infinity)));
  const daysLeft = Math.floor((soonest - Date.now()) / 86_400_000);
  if (daysLeft < CERT_WARN_DAYS) {
    return { check: 'province link', result: 'warn', detail: `${detail}; a province certificate expires in ${daysLeft} day(s)`, fix: 'ask the province for its renewed certificate (and CA bundle, province.ca_file) before it expires' };
  }
  return token?.origin === 'platform'
    ? { check: 'province link', result: 'ok', detail }
    : { check: 'province link', result: 'warn', detail, fix: 'start the daemon (systemctl start vcgw): it asks the province for a token' };
}

/** The link (TLS), then the token over it (doctorToken.ts). */
async function provinceChecks(config: Config, token: TokenRow | undefined): Promise<Check[]> {
  const link = await provinceCheck(config, token);
  return [link, await tokenCheck(config, link.result !== 'FAIL')];
}

/** Config entries (what the next start applies) and cameras registered by hand. */
export function camerasOf(config: Config, registered: readonly StoredCamera[]): Array<Pick<StoredCamera, 'id' | 'record' | 'access'>> {
  const fromConfig = config.cameras.map((entry) => {
    const parts = splitInput(entry);
    // Validated by the config schema already; cameraNum may still be unassigned, and no check here reads it.
    return { id: entry.id, record: { ...parts.record, cameraNum: entry.cameraNum ?? '' } as CameraRecord, access: parts.access };
  });
  const ids = new Set(fromConfig.map((c) => c.id));
  return [...fromConfig, ...registered.filter((c) => !ids.has(c.id))];
}

/**
 * A GB/T 28181 camera has no address of its own to check: its device registers to the gateway,
 * and the daemon keeps what it knows of the device in the database.
 */
function gbReach(cam: Pick<StoredCamera, 'access'>, config: Config, devices: readonly GbDeviceRow[], now = Date.now()): { ok: true; at: string } | { ok: false; detail: string; fix: string } {
  const device = cam.access.gbDeviceId!;
  if (!config.gb28181.enabled) return { ok: false, detail: `GB/T 28181 device ${device}, but [gb28181] enabled = false`, fix: 'set [gb28181] enabled = true so that the device can register' };
  const row = devices.find((d) => d.deviceId === device);
  const server = `SIP server id ${config.gb28181.sip_id}, domain ${config.gb28181.domain}, ${config.gb28181.listen}`;
  if (!row) return { ok: false, detail: `GB/T 28181 device ${device} has never registered to this gateway`, fix: `set the device's SIP server to ${server} and its password; vcgw gb devices lists what registered` };
  const ago = Math.round((now - row.lastSeenAt) / 1000);
  if (!row.online) return { ok: false, detail: `GB/T 28181 device ${device} is offline: last heard ${ago} s ago from ${row.address}:${row.port}`, fix: 'check the device is powered and reaches the gateway; vcgw gb devices' };
  return { ok: true, at: `GB/T 28181 device ${device} at ${row.address}:${row.port}, heard ${ago} s ago` };
}

function cameraCheck(cam: Pick<StoredCamera, 'id' | 'record' | 'access'>, config: Config, gbDevices: readonly GbDeviceRow[]): Check {
  const check = `camera ${cam.id}`;
  const ep = cameraEndpoint(cam);
  let at: string;
  if (ep) at = `${ep.host}:${ep.port}`;
  else if (cam.access.gbDeviceId && cam.access.gbChannelId) {
    const gb = gbReach(cam, config, gbDevices);
    if (!gb.ok) return { check, result: 'FAIL', detail: gb.detail, fix: gb.fix };
    at = gb.at;
  } else return { check, result: 'FAIL', detail: NO_ADDRESS };
  const o = cameraOverlay(cam, config.overlay);
  return o.ok
    ? { check, result: 'ok', detail: `${at}; overlay ${o.lines.join(' / ')}` }
    : { check, result: 'warn', detail: `${at}; overlay not compliant (seed 003 Appendix B): ${overlayErrorsText(o.errors)}` };
}

/** `offline`: no province handshake (the box may be off its network, e.g. in a package test). */
export async function setupChecks(config: Config, offline = false): Promise<Check[]> {
  const state = readState(config.gateway.data_dir);
  const cameras = camerasOf(config, state?.cameras ?? []);
  return [
    ...placeholderChecks(config.province),
    ...(offline ? [] : await provinceChecks(config, state?.token)),
    ...(cameras.length === 0 ? [{ check: 'cameras', result: 'warn' as const, detail: 'none configured or registered' }] : cameras.map((c) => cameraCheck(c, config, state?.gbDevices ?? []))),
  ];
}
