// The TLS material towards the province, read from the config, with where its trust comes from
// (named in TLS failure messages so a technician knows which file to fix).
import fs from 'node:fs';
import type { Config } from '../../../config/schema/index.js';
import type { ProvinceTls } from '../../../protocols/province/tlsDiagnosis.js';

const readOptional = (file: string | undefined): string | undefined => (file === undefined ? undefined : fs.readFileSync(file, 'utf8'));

export function provinceTls(p: Config['province']): ProvinceTls {
  return {
    ca: readOptional(p.ca_file),
    cert: readOptional(p.client_cert_file),
    key: readOptional(p.client_key_file),
    trust: p.ca_file ? `province.ca_file ${p.ca_file}` : 'the system CAs (province.ca_file not set)',
  };
}
