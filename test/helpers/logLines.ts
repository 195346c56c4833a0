// Checks on the daemon's JSON log lines.

/** The keys of a JSON object's top level, in order and with repeats (JSON.parse keeps the last). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && json[j + 1] === ':') keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

/** Keys a JSON log line carries more than once (JSON.parse would silently keep the last). */
export function repeatedKeys(line: string): string[] {
  return topLevelKeys(line).filter((k, i, all) => all.indexOf(k) !== i);
}
