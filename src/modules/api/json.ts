// Request bodies are parsed here, not by fastify, so a bad body is a clean 400 naming the problem.

export type JsonParse = { ok: true; value: unknown } | { ok: false; msg: string };

/** Removes commas directly before `}` or `]` outside strings (the E-5.6 demo has them). */
function dropTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

/**
 * Parses JSON text; `where` names the field in the message ("body", "data.0.mediaUrl").
 * `lenient` also accepts trailing commas, for local detectors that copied the spec's demo.
 */
export function parseJson(text: string, where: string, lenient = false): JsonParse {
  if (text.trim() === '') return { ok: false, msg: `${where}: empty, expected JSON` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    if (lenient) {
      try {
        return { ok: true, value: JSON.parse(dropTrailingCommas(text)) as unknown };
      } catch {
        // report the original error below
      }
    }
    return { ok: false, msg: `${where}: malformed JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}
