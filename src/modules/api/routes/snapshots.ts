// GET /snapshots/<cameraNum>/<YYYYMMDD>/<HHmmss>.jpg (seed 003 §6.4): the JPEG itself, not an
// envelope. Either the TAuth header like every other call, or a signed URL (?expires=&sig=) that
// the province fetches from ReportSnapshot/ReportCameraQuality without headers.
import fs from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CODE } from '../../../protocols/province/messages.js';
import { isSnapshotPath } from '../../snapshots/files.js';
import { SNAPSHOT_PREFIX, type UrlCheck } from '../../snapshots/urls.js';
import { checkAuth, type AuthPolicy } from '../auth.js';
import type { App } from '../http.js';
import { fail } from '../reply.js';

/** What the API needs to serve snapshots; the daemon passes its SnapshotFiles and SnapshotUrls. */
export interface SnapshotServing {
  files: { absPath(rel: string): string };
  urls: { verify(pathname: string, expires: string | undefined, sig: string | undefined): UrlCheck };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function refuse(req: FastifyRequest, reply: FastifyReply, status: 400 | 401 | 403 | 404, msg: string): FastifyReply {
  req.log.warn({ method: req.method, url: req.url.replace(/sig=[0-9a-f]+/i, 'sig=…'), remote: req.ip, status }, msg);
  const code = status === 404 ? CODE.notFound : status === 400 ? CODE.badRequest : CODE.forbidden;
  if (status === 401) void reply.header('WWW-Authenticate', 'TAuth');
  return reply.code(status).send(fail(code, msg));
}

export function registerSnapshotRoutes(app: App, o: SnapshotServing & { auth: AuthPolicy }): void {
  app.get('/snapshots/:cameraNum/:day/:file', async (req, reply) => {
    const { cameraNum, day, file } = req.params as { cameraNum: string; day: string; file: string };
    const rel = `${cameraNum}/${day}/${file}`;
    // The pattern admits only a UUID, 8 digits and a fixed file name: no way out of the directory.
    if (!isSnapshotPath(rel)) return refuse(req, reply, 404, 'no such snapshot');
    const q = req.query as { expires?: string; sig?: string };
    if (q.expires !== undefined || q.sig !== undefined) {
      const check = o.urls.verify(SNAPSHOT_PREFIX + rel, q.expires, q.sig);
      if (check === 'expired') return refuse(req, reply, 403, 'snapshot URL expired');
      if (check !== 'ok') return refuse(req, reply, 403, 'snapshot URL signature invalid');
    } else {
      const tauth = header(req, 'tauth');
      if (!tauth?.trim()) return refuse(req, reply, 401, 'TAuth: token missing (or use the signed URL)');
      const auth = checkAuth({ tauth, deviceCode: header(req, 'devicecode') }, o.auth);
      if (!auth.ok) return refuse(req, reply, 403, auth.msg);
    }
    const abs = o.files.absPath(rel);
    let size: number;
    try {
      const st = await fs.promises.stat(abs);
      if (!st.isFile()) return refuse(req, reply, 404, 'no such snapshot');
      size = st.size;
    } catch {
      return refuse(req, reply, 404, 'no such snapshot (removed after keep_days, or never taken)');
    }
    return reply
      .code(200)
      .header('Content-Type', 'image/jpeg')
      .header('Content-Length', String(size))
      .header('Cache-Control', 'private, max-age=86400, immutable')
      .send(fs.createReadStream(abs));
  });
}
