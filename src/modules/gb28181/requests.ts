// Work the CLI asks of the running daemon, which alone holds the SIP socket GB devices registered
// to: a row in gb_requests that the daemon polls, takes (claim) and answers (result JSON).
//
// Why a request row and not the local monitor listener for PTZ too: the row needs no listener to be
// enabled and allowed, no TLS or address for the CLI to find, and it tells apart "no daemon took it"
// (withdrawn, never acted on) from "the daemon took it but the device did not answer". A PTZ move
// carries a deadline: the daemon will not start it late, and the CLI withdraws it at the deadline,
// so a move the operator was told failed can never happen afterwards.
import type { PtzActionName } from '../../protocols/province/messages.js';
import type { GbRequestKind, GbStore } from '../../store/gb.js';
import type { PresetOp } from '../ptz/controller.js';

/** A pulse of one of CONTRACT §4's actions, or a preset operation (PTZCmd 0x81/0x82/0x83), on a channel. */
export type GbPtzParams = { channelId: string; move: { action: PtzActionName; step: number } } | { channelId: string; preset: { op: PresetOp; id: number } };

/** What the daemon writes back; `ok: false` carries the reason (device offline, refused, …). */
export type GbRequestResult = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export class GbRequestError extends Error {
  override readonly name: string = 'GbRequestError';
}

/** Nothing took the request in time (it was withdrawn): no daemon with [gb28181] on is running. */
export class NoDaemonError extends GbRequestError {
  override readonly name = 'NoDaemonError';
}

export interface AskDaemonOptions {
  params?: unknown;
  /** How long the daemon has to take the request; past it the request is withdrawn. */
  takeWithinMs: number;
  /** Once taken, how long the daemon has to answer (its SIP exchange with the device). */
  answerWithinMs: number;
  pollMs?: number;
}

const NO_DAEMON = 'is `vcgw run` running with [gb28181] enabled = true?';

/** Leaves a request for the daemon and waits (bounded) for its result; throws GbRequestError when there is none or it failed. */
export async function askDaemon(store: GbStore, deviceId: string, kind: GbRequestKind, o: AskDaemonOptions): Promise<GbRequestResult & { ok: true }> {
  const pollMs = o.pollMs ?? 50;
  const created = Date.now();
  const id = store.addRequest(deviceId, kind, { params: o.params, expiresAt: created + o.takeWithinMs }, created);
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  for (;;) {
    const row = store.request(id);
    if (row?.doneAt != null) {
      const result = JSON.parse(row.result ?? '{}') as GbRequestResult;
      if (result.ok) return result;
      throw new GbRequestError(result.error);
    }
    const now = Date.now();
    if (row?.claimedAt == null && now - created >= o.takeWithinMs) {
      if (store.withdrawRequest(id)) throw new NoDaemonError(`no answer from the daemon in ${seconds(o.takeWithinMs)}: ${NO_DAEMON}`);
      continue; // taken at the last moment: wait for its answer
    }
    if (row?.claimedAt != null && now - row.claimedAt >= o.answerWithinMs) {
      throw new GbRequestError(`the daemon sent the request to ${deviceId} but had no result after ${seconds(o.answerWithinMs)}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const PRESET_OPS: readonly string[] = ['set', 'call', 'delete'];

/** The daemon's reading of a ptz request's params (the row is only written by our CLI, but a file can be edited). */
export function readPtzParams(text: string | null, isAction: (name: string) => name is PtzActionName): GbPtzParams | null {
  let p: unknown;
  try {
    p = JSON.parse(text ?? 'null');
  } catch {
    return null;
  }
  if (typeof p !== 'object' || p === null) return null;
  const { channelId, move, preset } = p as { channelId?: unknown; move?: { action?: unknown; step?: unknown }; preset?: { op?: unknown; id?: unknown } };
  if (typeof channelId !== 'string' || !/^\d{20}$/.test(channelId)) return null;
  if (move && typeof move.action === 'string' && isAction(move.action) && Number.isInteger(move.step) && (move.step as number) >= 1 && (move.step as number) <= 8) {
    return { channelId, move: { action: move.action, step: move.step as number } };
  }
  if (preset && typeof preset.op === 'string' && PRESET_OPS.includes(preset.op) && Number.isInteger(preset.id) && (preset.id as number) >= 1 && (preset.id as number) <= 255) {
    return { channelId, preset: { op: preset.op as PresetOp, id: preset.id as number } };
  }
  return null;
}
