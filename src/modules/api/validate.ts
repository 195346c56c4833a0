import type { z } from 'zod';
import { describeIssue } from '../../protocols/province/messages.js';

export type Validated<T> = { ok: true; data: T } | { ok: false; msg: string };

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * safeParse + describeIssue. `reportInput` is needed because zod 4 leaves `issue.input` out by
 * default and describeIssue tells "required" from "wrong type" by it; a coerced field that is
 * absent arrives as NaN, so absence is also checked on the original value.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): Validated<z.output<S>> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === 'invalid_type' && issue.path.length > 0 && valueAt(value, issue.path) === undefined) {
    return { ok: false, msg: `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: required` };
  }
  return { ok: false, msg: describeIssue(parsed.error, prefix) };
}
