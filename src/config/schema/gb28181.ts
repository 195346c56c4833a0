import { z } from 'zod';
import { hostPort, seconds } from './common.js';

const gbCode = z.string().regex(/^\d{20}$/, 'must be 20 digits (GB/T 28181 code)');

export const gb28181 = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Accept GB/T 28181 cameras and NVRs registering to this gateway (device side, SIP)'),
    sip_id: gbCode
      .default('44010000002000000001')
      .describe('SIP id of the gateway as devices are told to register to it (20 digits, type 200)'),
    domain: z
      .string()
      .regex(/^\d{10}$/, 'must be 10 digits (the first 10 of sip_id, by custom)')
      .default('4401000000')
      .describe('SIP domain (realm) of the gateway'),
    listen: hostPort.default('0.0.0.0:5060').describe('SIP listener (UDP and/or TCP on the same port)'),
    transport: z.enum(['udp', 'tcp', 'both']).default('both').describe('SIP transports accepted from devices'),
    password: z.string().default('').describe('Registration password shared by devices without an entry in passwords (empty: only devices listed there may register)'),
    passwords: z
      .record(gbCode, z.string().min(1))
      .default({})
      .describe('Per-device registration passwords, e.g. { "34020000001180000001" = "secret" }'),
    keepalive_timeout_s: seconds(5, 3600).default(60).describe('Expected keep-alive interval of a device (GB/T 28181 default 60 s)'),
    keepalive_misses: z.number().int().min(1).max(20).default(3).describe('A device is offline after this many keep-alive intervals without one; online again on the next'),
    max_expires_s: z.number().int().min(60).max(86400).default(3600).describe('Longest registration granted; a device asking more gets this'),
    catalog_timeout_s: seconds(1, 120).default(10).describe('A catalog query ends when no page has come for this long'),
    media_port_min: z.number().int().min(1024).max(65535).default(30000).describe('First port of the range used to receive GB media (RTP)'),
    media_port_max: z.number().int().min(1024).max(65535).default(30499).describe('Last port of that range'),
    stream_transport: z
      .enum(['udp', 'tcp-passive', 'tcp-active'])
      .default('udp')
      .describe('How devices send media: udp, tcp-passive (the gateway listens) or tcp-active (the gateway connects to the device)'),
    media_address: z
      .string()
      .regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address')
      .optional()
      .describe("Address announced to devices in SDP and Contact (default: the SIP listen address, or this box's first external IPv4 when it listens on all addresses)")
      .meta({ example: '10.0.0.1' }),
  })
  .refine((g) => g.media_port_min < g.media_port_max, { message: 'media_port_min must be below media_port_max', path: ['media_port_max'] })
  .describe('GB/T 28181 device side: cameras and NVRs that register to the gateway');

export type Gb28181Config = z.output<typeof gb28181>;
