// Encoder placement by a slot-capacity model (this box has no GPU, so the devices are declared).
import t from 'tap';
import { CPU_ENCODER, EncoderScheduler } from '../../../src/protocols/ffmpeg/scheduler.js';

t.test('fills hardware first, then overflows to libx264', async (t) => {
  const s = new EncoderScheduler([{ encoder: 'h264_nvenc', slots: 2 }]);
  const a = s.acquire('low');
  const b = s.acquire('high');
  const c = s.acquire('low');
  t.match(a, { encoder: 'h264_nvenc', hardware: true, device: 0, cost: 1 });
  t.match(b, { encoder: 'h264_nvenc', hardware: true });
  t.match(c, { encoder: CPU_ENCODER, hardware: false });
  t.equal(c.device, undefined);
  t.same(s.usage(), { devices: [{ encoder: 'h264_nvenc', used: 2, total: 2 }], cpu: 1 });
  t.equal(new Set([a.id, b.id, c.id]).size, 3, 'distinct lease ids');
});

t.test('release returns capacity; release is idempotent', async (t) => {
  const s = new EncoderScheduler([{ encoder: 'h264_vaapi', slots: 1 }]);
  const a = s.acquire('low');
  const cpu = s.acquire('low');
  t.equal(cpu.encoder, 'libx264');
  a.release();
  a.release();
  t.same(s.usage(), { devices: [{ encoder: 'h264_vaapi', used: 0, total: 1 }], cpu: 1 }, 'a double release does not free a slot twice');
  const b = s.acquire('low');
  t.equal(b.encoder, 'h264_vaapi', 'the freed slot is used again');
  cpu.release();
  cpu.release();
  t.equal(s.usage().cpu, 0);
  const c = s.acquire('low');
  t.equal(c.encoder, 'libx264', 'still full: a second release of the old lease gave nothing back');
});

t.test('prefers the device with the most free capacity', async (t) => {
  const s = new EncoderScheduler([
    { encoder: 'h264_vaapi', slots: 2 },
    { encoder: 'h264_nvenc', slots: 4 },
  ]);
  const got = [s.acquire('low'), s.acquire('low'), s.acquire('low'), s.acquire('low')].map((l) => l.encoder);
  // nvenc 4 free → 3 free → vaapi 2 vs nvenc 3 → nvenc (2) → tie 2/2 → first listed (vaapi)
  t.same(got, ['h264_nvenc', 'h264_nvenc', 'h264_vaapi', 'h264_nvenc']);
  t.same(s.usage().devices, [
    { encoder: 'h264_vaapi', used: 1, total: 2 },
    { encoder: 'h264_nvenc', used: 3, total: 4 },
  ]);
});

t.test('tier costs must fit in the free slots', async (t) => {
  const s = new EncoderScheduler([{ encoder: 'h264_qsv', slots: 4 }], { tierCost: { source: 3, fourM: 2 } });
  const src = s.acquire('source');
  t.match(src, { encoder: 'h264_qsv', cost: 3 });
  const four = s.acquire('fourM');
  t.match(four, { encoder: 'libx264', hardware: false, cost: 2 }, '2 slots needed, 1 free');
  const low = s.acquire('low');
  t.match(low, { encoder: 'h264_qsv', cost: 1 }, 'a cheap tier still fits');
  t.same(s.usage().devices[0], { encoder: 'h264_qsv', used: 4, total: 4 });
  src.release();
  t.match(s.acquire('fourM'), { encoder: 'h264_qsv' });
  t.same(s.usage(), { devices: [{ encoder: 'h264_qsv', used: 3, total: 4 }], cpu: 1 });
  // A tier costing more than any device has never goes to hardware.
  const big = new EncoderScheduler([{ encoder: 'h264_rkmpp', slots: 2 }], { tierCost: { source: 3 } });
  t.equal(big.acquire('source').encoder, 'libx264');
});

t.test('no devices: everything on the CPU', async (t) => {
  const s = new EncoderScheduler([]);
  const leases = [s.acquire('low'), s.acquire('high'), s.acquire('source')];
  t.ok(leases.every((l) => l.encoder === 'libx264' && !l.hardware));
  t.same(s.usage(), { devices: [], cpu: 3 });
  for (const l of leases) l.release();
  t.same(s.usage(), { devices: [], cpu: 0 });
});

t.test('bad capacities and costs are refused', async (t) => {
  t.throws(() => new EncoderScheduler([{ encoder: 'h264_nvenc', slots: -1 }]), RangeError);
  t.throws(() => new EncoderScheduler([{ encoder: 'h264_nvenc', slots: 1.5 }]), RangeError);
  t.throws(() => new EncoderScheduler([], { tierCost: { low: 0 } }), RangeError);
  const zero = new EncoderScheduler([{ encoder: 'h264_nvenc', slots: 0 }]);
  t.equal(zero.acquire('low').encoder, 'libx264', 'a zero-slot device takes nothing');
});
