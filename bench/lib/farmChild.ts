// Shutdown of a benchmark's simulator child: it serves until the parent is gone (stdin closes) or
// it is signalled, then closes what it started and exits.

/** Returns `shutdown(code)`: runs `close` once, then exits with `code`; wired to SIGTERM, SIGINT and stdin's end. */
export function serveUntilParentGone(close: () => Promise<unknown>): (code: number) => Promise<void> {
  let closing = false;
  const shutdown = async (code: number): Promise<void> => {
    if (closing) return;
    closing = true;
    await close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  process.stdin.on('end', () => void shutdown(0));
  process.stdin.on('error', () => void shutdown(0));
  process.stdin.resume();
  return shutdown;
}
