// An FFmpeg output made once and kept in a cache directory (the simulators' clips, the quality
// test set): encoded to stdout, checked, written to a unique tmp name and renamed, so two
// processes racing on the same file both end with a whole one and a crash leaves no half file.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A tmp file older than this was left by a process that died while writing it. */
const STALE_TMP_MS = 60 * 60 * 1000;

const inFlight = new Map<string, Promise<string>>();

/** Writes FFmpeg's input (raw frames rendered in Node) to its stdin and ends it. */
export type FfmpegFeed = (stdin: Writable) => Promise<void>;

/**
 * `file`, made first with `ffmpeg args` (output on stdout) when missing; `check` may refuse the
 * bytes; `feed`, when given, writes FFmpeg's stdin (args then read `pipe:0`).
 */
export function cachedFfmpegOutput(file: string, ffmpegPath: string, args: readonly string[], check?: (data: Buffer) => void, feed?: FfmpegFeed): Promise<string> {
  let pending = inFlight.get(file);
  if (!pending) {
    pending = make(file, ffmpegPath, args, check, feed).finally(() => inFlight.delete(file));
    inFlight.set(file, pending);
  }
  return pending;
}

async function make(file: string, ffmpegPath: string, args: readonly string[], check?: (data: Buffer) => void, feed?: FfmpegFeed): Promise<string> {
  if (await isFile(file)) return file;
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  await removeStaleTmpFiles(dir);
  const data = await runFfmpeg(ffmpegPath, args, path.basename(file), feed);
  check?.(data);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return file;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function removeStaleTmpFiles(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const p = path.join(dir, name);
    const st = await fs.stat(p).catch(() => undefined);
    if (st && now - st.mtimeMs > STALE_TMP_MS) await fs.rm(p, { force: true });
  }
}

function runFfmpeg(ffmpegPath: string, args: readonly string[], what: string, feed?: FfmpegFeed): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Output to a pipe ties the encoder to us: if we die mid-encode it gets EPIPE and exits.
    const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let fed: Error | undefined;
    // FFmpeg closing its input early shows as its own exit status; the write error adds nothing.
    child.stdin.on('error', () => undefined);
    if (feed) {
      feed(child.stdin).catch((err: unknown) => {
        fed = err instanceof Error ? err : new Error(String(err));
        child.kill('SIGKILL');
      });
    } else child.stdin.end();
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('error', (err) => reject(new Error(`cannot run ${ffmpegPath}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (fed) reject(new Error(`cannot make ${what}: ${fed.message}`));
      else if (code === 0 && chunks.length > 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`${ffmpegPath} failed making ${what} (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}
