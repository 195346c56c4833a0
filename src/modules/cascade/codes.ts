// Code segments (号段) and the codes handed out of them: every organization node (type 216) and
// channel (132 or 131) of a platform's tree gets a code from its segments, kept in SQLite so that
// it never changes across restarts, and checked (20 digits, inside a segment, right type, no
// duplicate in the tree) whether assigned automatically or set by hand. Errors name the code
// and the rule it breaks.
import type { CascadeSegmentConfig } from '../../config/schema/cascade.js';
import type { CascadeCodeRow } from '../../store/cascadeCodes.js';
import type { TreeNode } from './tree.js';

export type CodeRule = 'format' | 'segment' | 'type' | 'duplicate' | 'overlap' | 'full';

export interface CodeProblem {
  code: string;
  rule: CodeRule;
  message: string;
}

export interface Segment {
  from: string;
  to: string;
  /** Digits 1–13: the 10-digit area and 3-digit type every code of the segment shares. */
  prefix: string;
  type: number;
  first: number;
  last: number;
}

const ORG_TYPES = [216] as const;
const CHANNEL_TYPES = [132, 131] as const;

export function typesFor(kind: TreeNode['kind']): readonly number[] {
  return kind === 'org' ? ORG_TYPES : CHANNEL_TYPES;
}

export function toSegment(s: CascadeSegmentConfig): Segment {
  return { from: s.from, to: s.to, prefix: s.from.slice(0, 13), type: Number(s.from.slice(10, 13)), first: Number(s.from.slice(13)), last: Number(s.to.slice(13)) };
}

/** Segments that overlap one another (the config checks each segment alone). */
export function checkSegments(segments: readonly Segment[]): CodeProblem[] {
  const problems: CodeProblem[] = [];
  segments.forEach((a, i) => {
    for (const b of segments.slice(i + 1)) {
      if (a.prefix === b.prefix && a.first <= b.last && b.first <= a.last) {
        problems.push({ code: b.from, rule: 'overlap', message: `segment ${b.from}–${b.to} overlaps segment ${a.from}–${a.to}` });
      }
    }
  });
  return problems;
}

/** Problems with `code` for a node of `kind`; `owner` is the key already holding the code, if another. */
export function checkCode(code: string, kind: TreeNode['kind'], segments: readonly Segment[], owner?: string): CodeProblem[] {
  if (!/^\d{20}$/.test(code)) return [{ code, rule: 'format', message: `${JSON.stringify(code)} is not a 20-digit GB/T 28181 code` }];
  const type = Number(code.slice(10, 13));
  const want = typesFor(kind);
  const problems: CodeProblem[] = [];
  if (!want.includes(type)) problems.push({ code, rule: 'type', message: `${code}: type ${type} where a ${kind === 'org' ? 'organization node' : 'channel'} needs ${want.join(' or ')}` });
  const serial = Number(code.slice(13));
  if (!segments.some((s) => s.prefix === code.slice(0, 13) && serial >= s.first && serial <= s.last)) {
    problems.push({ code, rule: 'segment', message: `${code}: inside no configured segment` });
  }
  if (owner) problems.push({ code, rule: 'duplicate', message: `${code}: already the code of ${owner}` });
  return problems;
}

/**
 * Problems with setting `code` by hand on `node`: the automatic codes' rules, with "duplicate"
 * against every code stored for the platform (nodes no longer shared keep theirs reserved).
 */
export function checkManualCode(code: string, node: Pick<TreeNode, 'key' | 'kind'>, segments: readonly Segment[], stored: readonly CascadeCodeRow[]): CodeProblem[] {
  const owner = stored.find((r) => r.code === code && r.nodeKey !== node.key)?.nodeKey;
  return [...checkSegments(segments), ...checkCode(code, node.kind, segments, owner)];
}

export interface Assignment {
  /** node key → code, for every node that has one. */
  codes: Map<string, string>;
  /** Rows to store: codes handed out now. */
  fresh: CascadeCodeRow[];
  /** Stored codes no longer valid (reassigned) and nodes left without a code (segments full). */
  problems: CodeProblem[];
}

/**
 * Codes for `nodes`: the stored one when still valid, else the lowest free serial of the first
 * segment of the node's type with room. Free means used by no stored code of the platform, so a
 * camera removed and added back does not take another's old code.
 */
export function assignCodes(platform: string, nodes: readonly TreeNode[], segments: readonly Segment[], stored: readonly CascadeCodeRow[], now: number): Assignment {
  const problems: CodeProblem[] = checkSegments(segments);
  const storedByKey = new Map(stored.map((r) => [r.nodeKey, r]));
  const holder = new Map<string, string>();
  const codes = new Map<string, string>();
  const fresh: CascadeCodeRow[] = [];
  // Stored codes of nodes no longer in the tree stay reserved.
  for (const r of stored) holder.set(r.code, r.nodeKey);
  const nodeKeys = new Set(nodes.map((n) => n.key));
  for (const n of nodes) {
    const row = storedByKey.get(n.key);
    if (!row) continue;
    const owner = holder.get(row.code);
    const found = checkCode(row.code, n.kind, segments, owner !== n.key && owner !== undefined && nodeKeys.has(owner) ? owner : undefined);
    // A code set by hand is never moved: what is wrong with it is reported, the operator fixes it.
    if (found.length === 0 || row.manual) codes.set(n.key, row.code);
    problems.push(...found.map((p) => ({ ...p, message: `${p.message}; ${row.manual ? `kept for ${n.key}: set by hand` : `${n.key} gets a new code`}` })));
  }
  const next = new Map<Segment, number>(segments.map((s) => [s, s.first]));
  for (const n of nodes) {
    if (codes.has(n.key)) continue;
    const code = allocate(n.kind, segments, next, holder);
    if (!code) {
      problems.push({ code: '', rule: 'full', message: `no free code of type ${typesFor(n.kind).join('/')} left in the segments for ${n.key}` });
      continue;
    }
    holder.set(code, n.key);
    codes.set(n.key, code);
    fresh.push({ platform, nodeKey: n.key, code, manual: false, assignedAt: now });
  }
  return { codes, fresh, problems };
}

function allocate(kind: TreeNode['kind'], segments: readonly Segment[], next: Map<Segment, number>, holder: Map<string, string>): string | undefined {
  for (const type of typesFor(kind)) {
    for (const s of segments.filter((x) => x.type === type)) {
      for (let serial = next.get(s)!; serial <= s.last; serial++) {
        const code = `${s.prefix}${String(serial).padStart(7, '0')}`;
        if (holder.has(code)) continue;
        next.set(s, serial + 1);
        return code;
      }
      next.set(s, s.last + 1);
    }
  }
  return undefined;
}
