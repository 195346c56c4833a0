import { z } from 'zod';
import { file, httpUrl } from './common.js';

export const province = z
  .strictObject({
    base_url: httpUrl
      .describe('Province platform base URL; calls go to <base_url>/service/...')
      .meta({ example: 'https://10.1.1.1:443' }),
    backup_base_urls: z
      .array(httpUrl)
      .default([])
      .describe('Backup links (seed 003 §7.1 f): used in order when the primary is unreachable; the primary is retried periodically'),
    primary_retry_s: z.number().int().min(5).max(86400).default(300).describe('How often to try the primary again while on a backup link'),
    user: z.string().min(1).describe('User name issued offline with the gateway').meta({ example: 'Jzbgs' }),
    token: z
      .string()
      .min(1)
      .describe('Initial token issued offline; later tokens are rotated and kept in the database')
      .meta({ example: 'FhpQWdqdShB1ZJ1u' }),
    sm2_private_key: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
      .optional()
      .describe('SM2 private key as 64 hex digits (or use sm2_private_key_file)'),
    sm2_private_key_file: file.optional().describe('SM2 private key as a PEM file (PKCS#8 or SEC1)'),
    sign_format: z.enum(['raw', 'der']).default('raw').describe('Token signature encoding: raw 64-byte r||s, or DER'),
    ca_file: file.optional().describe("PEM CA bundle that signs the province's certificate (default: system CAs)"),
    client_cert_file: file.optional().describe('PEM client certificate for mutual TLS towards the province'),
    client_key_file: file.optional().describe('PEM key of client_cert_file'),
    token_refresh_s: z.number().int().min(60).max(7 * 86400).default(3600).describe('Token rotation period'),
    request_timeout_ms: z.number().int().min(500).max(120000).default(10000).describe('Timeout of one province call'),
    analyse_key: z.string().default('').describe('Key for the MD5 sign of ReportAnalyse (E-4.4)'),
    org_id: z.string().default('').describe('orgld of ReportAnalyse, issued by the province'),
    status_full_interval_s: z
      .number()
      .int()
      .min(60)
      .max(86400)
      .default(3600)
      .describe('Full ReportCameraStatus period (changes are reported at once)'),
  })
  .refine((p) => p.sm2_private_key !== undefined || p.sm2_private_key_file !== undefined, {
    message: 'one of sm2_private_key or sm2_private_key_file is required',
    path: ['sm2_private_key'],
  })
  .refine((p) => (p.client_cert_file === undefined) === (p.client_key_file === undefined), {
    message: 'client_cert_file and client_key_file go together',
    path: ['client_key_file'],
  })
  .describe('The provincial video-cloud platform (Appendix E)');
