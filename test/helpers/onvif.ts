import { OnvifError } from '../../src/protocols/onvif/index.js';

/** The OnvifError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function onvifFailure(p: Promise<unknown>): Promise<OnvifError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof OnvifError)) throw new Error(`expected an OnvifError, got ${String(e)}`);
  return e;
}
