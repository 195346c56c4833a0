import net from 'node:net';

/**
 * A loopback port that nothing listens on right now: for addresses that must be known before
 * their server starts (the demo, tests) and for "camera that does not answer".
 */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
