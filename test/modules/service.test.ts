// The service lifecycle: started in order, stopped in reverse, a failed start unwinds what started.
import t from 'tap';
import { silentLogger } from '../../src/log.js';
import { simpleService, startServices, type Service } from '../../src/modules/service.js';

function recorder() {
  const calls: string[] = [];
  const svc = (name: string, o: { failStart?: boolean; failStop?: boolean } = {}): Service =>
    simpleService(name, {
      start: () => {
        calls.push(`start ${name}`);
        if (o.failStart) throw new Error(`${name} cannot start`);
      },
      stop: () => {
        calls.push(`stop ${name}`);
        if (o.failStop) throw new Error(`${name} cannot stop`);
      },
    });
  return { calls, svc };
}

t.test('starts in order, skips the services that are off, stops in reverse once', async (t) => {
  const { calls, svc } = recorder();
  const running = await startServices([svc('a'), undefined, svc('b'), svc('c')], silentLogger());
  t.same(running.names, ['a', 'b', 'c']);
  t.same(running.health(), { a: { ok: true }, b: { ok: true }, c: { ok: true } });
  await Promise.all([running.stop(), running.stop()]);
  t.same(calls, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'], 'two stops at once stop each service once');
  t.same(running.health(), { a: { ok: false, detail: 'not running' }, b: { ok: false, detail: 'not running' }, c: { ok: false, detail: 'not running' } });
});

t.test('a failed start stops what already started, in reverse, and rethrows', async (t) => {
  const { calls, svc } = recorder();
  await t.rejects(startServices([svc('a'), svc('b'), svc('c', { failStart: true }), svc('d')], silentLogger()), /c cannot start/);
  t.same(calls, ['start a', 'start b', 'start c', 'stop b', 'stop a'], 'd never started; c, which failed, is not stopped');
});

t.test('a failing stop does not keep the others running', async (t) => {
  const { calls, svc } = recorder();
  const running = await startServices([svc('a'), svc('b', { failStop: true }), svc('c')], silentLogger());
  await running.stop();
  t.same(calls, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});
