// Catalog (GB/T 28181 §9.5.2, A.2.6.4): items, paged responses with SumNum and DeviceList Num,
// channel-status events (NOTIFY Catalog with Event), and a collector that assembles the pages a
// device sends into one list (pages may repeat, arrive out of order, or stop coming).
import { children, child, encodeManscdp, field, type Charset, type ManscdpMessage, type XmlNode } from './manscdp.js';

export type CatalogEvent = 'ON' | 'OFF' | 'VLOST' | 'DEFECT' | 'ADD' | 'DEL' | 'UPDATE';
const EVENTS: readonly CatalogEvent[] = ['ON', 'OFF', 'VLOST', 'DEFECT', 'ADD', 'DEL', 'UPDATE'];

export interface CatalogItem {
  deviceId: string;
  name?: string;
  manufacturer?: string;
  model?: string;
  owner?: string;
  civilCode?: string;
  address?: string;
  parental?: number;
  parentId?: string;
  /** 2016: "ON"/"OFF"; some devices send "ONLINE"/"OFFLINE" or 1/0 — normalised to ON/OFF. */
  status?: 'ON' | 'OFF';
  longitude?: number;
  latitude?: number;
  /** Info/PTZType: 1 dome, 2 half-dome, 3 fixed box, 4 remote-controllable box (2016 A.2.6.4). */
  ptzType?: number;
  businessGroupId?: string;
  ipAddress?: string;
  port?: number;
  /** Set in catalog NOTIFY items. */
  event?: CatalogEvent;
  /** Elements this library does not model, as the device sent them (non-standard fields kept). */
  extra: Record<string, string>;
}

const MODELLED: Record<string, keyof CatalogItem> = {
  deviceid: 'deviceId',
  name: 'name',
  manufacturer: 'manufacturer',
  model: 'model',
  owner: 'owner',
  civilcode: 'civilCode',
  address: 'address',
  parental: 'parental',
  parentid: 'parentId',
  status: 'status',
  longitude: 'longitude',
  latitude: 'latitude',
  businessgroupid: 'businessGroupId',
  ipaddress: 'ipAddress',
  port: 'port',
  event: 'event',
  info: 'ptzType',
};

function num(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function status(s: string | undefined): 'ON' | 'OFF' | undefined {
  if (!s) return undefined;
  const v = s.trim().toUpperCase();
  if (v === 'ON' || v === 'ONLINE' || v === '1' || v === 'OK') return 'ON';
  if (v === 'OFF' || v === 'OFFLINE' || v === '0') return 'OFF';
  return undefined;
}

export function parseCatalogItem(node: XmlNode): CatalogItem | null {
  const deviceId = field(node, 'DeviceID');
  if (!deviceId) return null;
  const item: CatalogItem = {
    deviceId,
    name: field(node, 'Name'),
    manufacturer: field(node, 'Manufacturer'),
    model: field(node, 'Model'),
    owner: field(node, 'Owner'),
    civilCode: field(node, 'CivilCode'),
    address: field(node, 'Address'),
    parental: num(field(node, 'Parental')),
    parentId: field(node, 'ParentID'),
    status: status(field(node, 'Status')),
    longitude: num(field(node, 'Longitude')),
    latitude: num(field(node, 'Latitude')),
    ptzType: num(field(child(node, 'Info'), 'PTZType')),
    businessGroupId: field(node, 'BusinessGroupID'),
    ipAddress: field(node, 'IPAddress'),
    port: num(field(node, 'Port')),
    extra: {},
  };
  const ev = field(node, 'Event')?.toUpperCase();
  if (ev && (EVENTS as readonly string[]).includes(ev)) item.event = ev as CatalogEvent;
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_') || k.toLowerCase() in MODELLED) continue;
    if (typeof v === 'string') item.extra[k] = v;
  }
  for (const key of Object.keys(item) as (keyof CatalogItem)[]) if (item[key] === undefined) delete item[key];
  return item;
}

function itemNode(item: CatalogItem): XmlNode {
  const n: XmlNode = { DeviceID: item.deviceId };
  const put = (k: string, v: string | number | undefined): void => {
    if (v !== undefined) n[k] = String(v);
  };
  if (item.event) put('Event', item.event);
  put('Name', item.name);
  put('Manufacturer', item.manufacturer);
  put('Model', item.model);
  put('Owner', item.owner);
  put('CivilCode', item.civilCode);
  put('Address', item.address);
  put('Parental', item.parental);
  put('ParentID', item.parentId);
  put('BusinessGroupID', item.businessGroupId);
  put('SafetyWay', item.extra['SafetyWay'] ?? (item.parental !== undefined ? '0' : undefined));
  put('RegisterWay', item.extra['RegisterWay'] ?? (item.parental !== undefined ? '1' : undefined));
  put('Secrecy', item.extra['Secrecy'] ?? (item.parental !== undefined ? '0' : undefined));
  put('IPAddress', item.ipAddress);
  put('Port', item.port);
  put('Status', item.status);
  put('Longitude', item.longitude);
  put('Latitude', item.latitude);
  for (const [k, v] of Object.entries(item.extra)) if (!(k in n)) n[k] = v;
  if (item.ptzType !== undefined) n['Info'] = { PTZType: String(item.ptzType) };
  return n;
}

export interface CatalogPage {
  sumNum: number;
  items: CatalogItem[];
}

/** Reads a Catalog Response or a Catalog NOTIFY (channel status events). */
export function parseCatalog(msg: ManscdpMessage): { ok: true; page: CatalogPage } | { ok: false; error: string } {
  if (msg.cmdType.toLowerCase() !== 'catalog') return { ok: false, error: `CmdType ${msg.cmdType} is not Catalog` };
  const sumNum = num(field(msg.body, 'SumNum'));
  const list = child(msg.body, 'DeviceList');
  const items = children(list, 'Item')
    .map(parseCatalogItem)
    .filter((x): x is CatalogItem => x !== null);
  if (sumNum === undefined) {
    // NOTIFYs from some devices omit SumNum: the page is then all there is.
    return { ok: true, page: { sumNum: items.length, items } };
  }
  if (!Number.isInteger(sumNum) || sumNum < 0) return { ok: false, error: `Catalog SumNum ${sumNum} is not a count` };
  return { ok: true, page: { sumNum, items } };
}

/**
 * The Response bodies for a Catalog query, `pageSize` items each (GB/T 28181 keeps a UDP
 * MESSAGE under the MTU; devices commonly send 1–20 per page). Every page carries SumNum.
 */
export function catalogPages(
  head: { sn: number; deviceId: string },
  items: CatalogItem[],
  opts: { pageSize: number; charset?: Charset; root?: 'Response' | 'Notify' },
): Buffer[] {
  const size = Math.max(1, Math.floor(opts.pageSize));
  const pages: Buffer[] = [];
  for (let at = 0; at === 0 || at < items.length; at += size) {
    const slice = items.slice(at, at + size);
    pages.push(
      encodeManscdp(
        opts.root ?? 'Response',
        { cmdType: 'Catalog', sn: head.sn, deviceId: head.deviceId },
        { SumNum: String(items.length), DeviceList: { '@_Num': String(slice.length), Item: slice.map(itemNode) } },
        opts.charset,
      ),
    );
  }
  return pages;
}

export interface CollectedCatalog {
  deviceId: string;
  sumNum: number;
  items: CatalogItem[];
  /** False when the wait ended before SumNum distinct items arrived. */
  complete: boolean;
  pages: number;
  duplicates: number;
}

interface Pending {
  sumNum: number | null;
  items: Map<string, CatalogItem>;
  pages: number;
  duplicates: number;
  timer: NodeJS.Timeout;
  resolve: (c: CollectedCatalog) => void;
}

/**
 * Assembles the pages answering one Catalog query (keyed by device and SN). Items are deduplicated
 * by DeviceID (the last copy wins); the wait ends when SumNum distinct items are in, or when no
 * page has come for `idleMs` (resolved with complete: false — the caller decides what to keep).
 */
export class CatalogCollector {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly idleMs: number) {}

  private key(deviceId: string, sn: number): string {
    return `${deviceId}|${sn}`;
  }

  expect(deviceId: string, sn: number): Promise<CollectedCatalog> {
    const key = this.key(deviceId, sn);
    this.cancel(key);
    return new Promise((resolve) => {
      const p: Pending = { sumNum: null, items: new Map(), pages: 0, duplicates: 0, timer: setTimeout(() => this.finish(key, deviceId), this.idleMs), resolve };
      this.pending.set(key, p);
    });
  }

  /** Offers a page; false when no query is waiting for it (a late or unsolicited page). */
  offer(deviceId: string, sn: number, page: CatalogPage): boolean {
    const key = this.key(deviceId, sn);
    const p = this.pending.get(key);
    if (!p) return false;
    p.pages++;
    p.sumNum = page.sumNum;
    for (const item of page.items) {
      if (p.items.has(item.deviceId)) p.duplicates++;
      p.items.set(item.deviceId, item);
    }
    clearTimeout(p.timer);
    if (p.items.size >= p.sumNum) this.finish(key, deviceId);
    else p.timer = setTimeout(() => this.finish(key, deviceId), this.idleMs);
    return true;
  }

  private finish(key: string, deviceId: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    const sumNum = p.sumNum ?? 0;
    p.resolve({ deviceId, sumNum, items: [...p.items.values()], complete: p.sumNum !== null && p.items.size >= sumNum, pages: p.pages, duplicates: p.duplicates });
  }

  private cancel(key: string): void {
    const p = this.pending.get(key);
    if (p) this.finish(key, key.split('|')[0]!);
  }

  /** Ends every wait now (on shutdown), each resolved with what it has. */
  close(): void {
    for (const key of [...this.pending.keys()]) this.cancel(key);
  }
}
