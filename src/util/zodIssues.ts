// One wording of zod validation issues for every reader of input (config file, province bodies,
// simulator controls): "field.path: message". Lives outside src/protocols and src/config so that
// both may import it (a protocol library imports nothing of the app).
import type { z } from 'zod';

export interface IssueWording {
  /** Prepended to every path, e.g. the index of an item in a list. */
  prefix?: string;
  /** Detail of a key the schema does not know. */
  unknownKey: string;
  /** Path shown for an issue about the whole value. */
  whole: string;
}

/** One "field.path: message" line per issue; an unknown key names the key itself, one line each. */
export function issueLines(error: z.ZodError, wording: IssueWording): string[] {
  return error.issues.flatMap((issue) => {
    const at = [wording.prefix ?? '', ...issue.path.map(String)].filter(Boolean);
    const line = (path: string[], detail: string) => `${path.join('.') || wording.whole}: ${detail}`;
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => line([...at, k], wording.unknownKey));
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return [line(at, missing ? 'required' : issue.message)];
  });
}
