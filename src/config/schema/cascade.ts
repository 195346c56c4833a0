// [[cascade]]: the upper GB/T 28181 platforms this gateway registers to as a lower platform
// (issue 11, CONTRACT §8; the fields of seeds 000 and 004). Self-contained so that it moves as one
// file; index.ts spreads `cascadeShape` into the config.
import { z } from 'zod';

const gbCode = z.string().regex(/^\d{20}$/, 'must be 20 digits (GB/T 28181 code)');
const ip = z.string().regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address');
const seconds = (min: number, max: number) => z.number().min(min).max(max);

/** Types a segment may hand out: 216 organization nodes, 215 business groups, 131/132 cameras. */
export const SEGMENT_TYPES = [131, 132, 215, 216] as const;

/**
 * A code segment (号段) as the seed's products write it: the first and last code of a run of
 * 20-digit codes sharing their 10-digit area and 3-digit type (e.g. 44020000002160000001 –
 * 44020000002169999999).
 */
export const cascadeSegmentSchema = z
  .strictObject({
    from: gbCode.describe('First code of the segment (10-digit area + 3-digit type + 7-digit serial)'),
    to: gbCode.describe('Last code of the segment: same area and type as `from`, serial not below it'),
  })
  .superRefine((s, ctx) => {
    if (s.from.slice(0, 13) !== s.to.slice(0, 13)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `${s.to}: area and type (digits 1–13) must equal those of from ${s.from}` });
    }
    if (s.to < s.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `${s.to}: below from ${s.from}` });
    const type = Number(s.from.slice(10, 13));
    if (!(SEGMENT_TYPES as readonly number[]).includes(type)) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `${s.from}: type ${type} cannot be handed out; segments are of type ${SEGMENT_TYPES.join('/')}` });
    }
  });

export const TREE_LEVELS = ['province', 'city', 'road', 'section', 'facility'] as const;

export const cascadePlatformSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 letters, digits, _ . -').describe('Local name of this upper platform (vcgw cascade show NAME)').meta({ example: 'city-police' }),
    enabled: z.boolean().default(true).describe('Register to this platform'),
    upper_id: gbCode.describe('SIP id of the upper platform (上级平台国标编码)').meta({ example: '44000000002000000001' }),
    upper_domain: z
      .string()
      .regex(/^(\d{10}|\d{20})$/, 'must be 10 or 20 digits')
      .describe('SIP domain of the upper platform (上级SIP域)')
      .meta({ example: '4400000000' }),
    upper_address: ip.describe('Address of the upper platform (注册IP)').meta({ example: '10.20.0.5' }),
    upper_port: z.number().int().min(1).max(65535).default(5060).describe('SIP port of the upper platform'),
    local_id: gbCode.describe('SIP id of this gateway at the upper platform (本地SIP ID, given by the upper side)').meta({ example: '44020000002000000001' }),
    local_address: ip.default('0.0.0.0').describe('Local address to bind for this platform'),
    local_port: z.number().int().min(0).max(65535).default(5061).describe('Local SIP port for this platform (one per platform; 0: any free port)'),
    advertised_address: ip
      .optional()
      .describe('Address written in Via, Contact and SDP (default: local_address, or 127.0.0.1 when that is 0.0.0.0)')
      .meta({ example: '10.0.0.1' }),
    sip_transport: z.enum(['udp', 'tcp']).default('udp').describe('Signalling transport (信令传输)'),
    stream_transport: z
      .enum(['any', 'udp', 'tcp-passive', 'tcp-active'])
      .default('any')
      .describe("Stream transports accepted, in the upper platform's words (its SDP offer): tcp-passive = it listens, tcp-active = it connects to us; any = whatever it asks"),
    username: z.string().optional().describe('Digest user name (default: local_id)').meta({ example: '44020000002000000001' }),
    password: z.string().default('').describe('Registration password (接入密码)'),
    manufacturer: z.string().max(64).default('vcgw').describe('Manufacturer reported in DeviceInfo'),
    model: z.string().max(64).default('vcgw-gateway').describe('Model reported in DeviceInfo'),
    firmware: z.string().max(64).default('1.0').describe('Firmware reported in DeviceInfo'),
    heartbeat_s: seconds(1, 3600).default(60).describe('Keepalive period (心跳周期); must match the upper platform'),
    heartbeat_misses: z.number().int().min(1).max(20).default(3).describe('Keepalives unanswered in a row before registering again'),
    keepalive_cseq_method: z
      .string()
      .regex(/^[A-Z]+$/, 'must be a SIP method name in capitals')
      .default('MESSAGE')
      .describe('Method written in the CSeq of Keepalive MESSAGEs (some upper platforms expect another)'),
    register_expires_s: z.number().int().min(30).max(86400).default(3600).describe('Registration validity asked for; refreshed at half of what is granted'),
    register_interval_s: seconds(1, 3600).default(60).describe('First retry after a failed registration (注册间隔); doubles up to 10 times that'),
    catalog_page_size: z.number().int().min(1).max(50).default(10).describe('Catalog items per MESSAGE (a UDP MESSAGE must stay under the MTU)'),
    share_cameras: z.array(z.string()).default([]).describe('Camera ids shared (empty: every camera passing the other filters)'),
    share_classify: z.array(z.number().int().min(0).max(5)).default([]).describe('Only cameras of these classify values (empty: any)'),
    share_roads: z.array(z.string()).default([]).describe('Only cameras on these roads, e.g. ["G4"] (empty: any)'),
    tree: z
      .array(z.enum(TREE_LEVELS))
      .default([...TREE_LEVELS])
      .describe('Levels of the organization tree above the channels, from the top'),
    node_names: z.record(z.string(), z.string().min(1)).default({}).describe('Names for tree nodes by key (vcgw cascade channels NAME shows the keys), e.g. { "city:4402" = "韶关市" }'),
    segments: z.array(cascadeSegmentSchema).default([]).describe('Code segments (号段) codes are assigned from: type 216 for organization nodes, 131/132 for channels')
      .meta({ example: [{ from: '44020000002160000001', to: '44020000002160009999' }, { from: '44020000001320000001', to: '44020000001320009999' }] }),
  })
  .describe('An upper GB/T 28181 platform (级联)');

export const cascadeShape = {
  cascade: z
    .array(cascadePlatformSchema)
    .default([])
    .superRefine((list, ctx) => {
      const names = new Map<string, number>();
      const ports = new Map<string, number>();
      list.forEach((p, i) => {
        const first = names.get(p.name);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicates cascade.${first}.name` });
        names.set(p.name, i);
        // Each platform has its own SIP endpoint: two cannot bind one port.
        const port = `${p.local_address}:${p.local_port}`;
        const taken = ports.get(port);
        if (p.local_port !== 0 && taken !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'local_port'], message: `${p.local_port} is cascade.${taken}.local_port too: each platform needs its own port` });
        ports.set(port, i);
      });
    })
    .describe('Upper GB/T 28181 platforms this gateway registers to as a lower platform'),
} as const;

export type CascadePlatformConfig = z.output<typeof cascadePlatformSchema>;
export type CascadeSegmentConfig = z.output<typeof cascadeSegmentSchema>;
export type TreeLevel = (typeof TREE_LEVELS)[number];
