import { z } from 'zod';
import { file } from './common.js';

export const gateway = z
  .strictObject({
    device_code: z
      .string()
      .min(1)
      .max(64)
      .describe('Gateway number issued by the province (DeviceCode header), e.g. vg-108121')
      .meta({ example: 'vg-108121' }),
    data_dir: z.string().min(1).default('/var/lib/vcgw').describe('Where the database, certificates and snapshots live'),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('Log level (JSON lines on stdout, for journald)'),
    log_file: file
      .optional()
      .describe('Also write the log (the same JSON lines) to this file, for boxes without journald; `vcgw logs` reads it when the journal has nothing')
      .meta({ example: '/var/log/vcgw/vcgw.log' }),
    section_name: z
      .string()
      .min(1)
      .optional()
      .describe("路段名称 in the inspection sheet's heading (Appendix C; default: the cameras' roadSec)")
      .meta({ example: '京珠北段' }),
    contact: z.string().min(1).optional().describe('联系人 in the inspection sheet heading (Appendix C)').meta({ example: '张工' }),
    contact_phone: z.string().min(1).optional().describe('联系方式 in the inspection sheet heading (Appendix C)').meta({ example: '020-12345678' }),
  })
  .describe('This gateway');
