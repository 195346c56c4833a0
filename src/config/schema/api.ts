import { z } from 'zod';
import { file, hostPort } from './common.js';
import { listenerLimits } from './listener.js';

export const api = z
  .strictObject({
    listen: hostPort.default('0.0.0.0:8443').describe('Where the province calls the gateway (HTTPS)'),
    tls_cert_file: file
      .optional()
      .describe('PEM server certificate; when absent a self-signed one is generated in data_dir at first start'),
    tls_key_file: file.optional().describe('PEM key of tls_cert_file'),
    client_ca_file: file.optional().describe('When set, mutual TLS: province clients must present a certificate signed by this CA'),
    token_grace_s: z
      .number()
      .int()
      .min(0)
      .max(86400)
      .default(300)
      .describe('How long the previous token is still accepted after a rotation'),
    body_limit_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024).describe('Largest request body accepted'),
    ...listenerLimits,
  })
  .refine((a) => (a.tls_cert_file === undefined) === (a.tls_key_file === undefined), {
    message: 'tls_cert_file and tls_key_file go together',
    path: ['tls_key_file'],
  })
  .describe('HTTPS API called by the province (E-5.1 … E-5.5)');
