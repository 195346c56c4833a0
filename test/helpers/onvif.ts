import { OnvifError } from '../../src/protocols/onvif/index.js';
import { startOnvifCamera, type OnvifCamera, type OnvifCameraOptions } from '../../src/sim/onvif/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A simulated ONVIF camera (password `secret`) closed with the test. */
export async function onvifSim(t: Teardown, opts: OnvifCameraOptions = {}): Promise<OnvifCamera> {
  const cam = await startOnvifCamera({ password: 'secret', ...opts });
  t.teardown(() => cam.close());
  return cam;
}

/** The OnvifError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function onvifFailure(p: Promise<unknown>): Promise<OnvifError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof OnvifError)) throw new Error(`expected an OnvifError, got ${String(e)}`);
  return e;
}
