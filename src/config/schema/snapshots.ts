import { z } from 'zod';
import { file, httpUrl } from './common.js';

export const snapshots = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Take a JPEG of every camera each interval_s, keep them and report them (ReportSnapshot)'),
    interval_s: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(300)
      .describe('One snapshot of every camera this often (seed 003 §6.4: 5 min); cameras are spread over the interval'),
    keep_days: z
      .number()
      .int()
      .min(7, 'must be at least 7 (seed 003 §6.4: snapshots are kept at least 7 days)')
      .max(3650)
      .default(7)
      .describe('Snapshots older than this are removed (at least 7 days, §6.4; the disk guard may remove older ones first)'),
    max_disk_percent: z
      .number()
      .min(10)
      .max(99)
      .default(90)
      .describe('When the filesystem of dir is fuller than this, the oldest snapshots are removed until it is not; a snapshot is skipped rather than fill the disk'),
    min_free_mb: z.number().int().min(0).max(1_000_000).default(512).describe('Likewise when less than this is free on the filesystem of dir'),
    dir: file
      .optional()
      .describe(
        'Where snapshots are written (default <data_dir>/snapshots; a relative path is taken from data_dir); a directory outside data_dir must be in ReadWritePaths of the systemd unit (systemd/vcgw.service lists /srv/vcgw-snapshots)',
      )
      .meta({ example: '/srv/vcgw-snapshots' }),
    url_ttl_s: z
      .number()
      .int()
      .min(300)
      .max(3650 * 86400)
      .default(7 * 86400)
      .describe('Lifetime of the signed snapshot URLs sent to the province (ReportSnapshot, ReportCameraQuality), fetchable without headers'),
    public_base_url: httpUrl
      .optional()
      .describe("Base of those URLs as the province reaches the gateway's HTTPS API, e.g. https://10.1.2.3:8443 (default: from api.listen, or this box's first external IPv4 when it listens on all addresses)")
      .meta({ example: 'https://10.1.2.3:8443' }),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Snapshots taken at once'),
    timeout_s: z.number().min(1).max(60).default(10).describe('One capture (from a running pull, the ONVIF snapshot URI or a short pull) is abandoned after this'),
    jpeg_quality: z.number().int().min(2).max(31).default(3).describe('FFmpeg JPEG quality -q:v (2 best … 31 worst) of frames the gateway encodes itself'),
  })
  .describe('Snapshots (seed 003 §6.4, CONTRACT §7): a JPEG of at least CIF of every camera every interval, served over the HTTPS API under /snapshots/');
