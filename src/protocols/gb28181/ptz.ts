// The 8-byte front-end device control command (PTZCmd) of GB/T 28181 Annex A (A.3), encoded
// and decoded:
//   1: A5   2: version/check nibble (0F for version 0)   3: address low 8 bits
//   4: instruction   5: data 1   6: data 2   7: data 3 (high nibble) | address high 4 bits
//   8: checksum = sum of bytes 1–7 mod 256
// Instructions: PTZ 0x00–0x3F (bit0 right, bit1 left, bit2 down, bit3 up, bit4 zoom in,
// bit5 zoom out; data1 pan speed, data2 tilt speed, data3 zoom speed 0–15); FI 0x40–0x4F (bit0
// focus far, bit1 focus near, bit2 iris open, bit3 iris close; data1 focus speed, data2 iris
// speed); presets 0x81 set / 0x82 call / 0x83 delete (data2 = preset 1–255); auxiliary switch
// 0x8C on / 0x8D off (data1 = switch number; 1 is the wiper, a light's number is the vendor's).

export type Dir = -1 | 0 | 1;

export type PtzCommand =
  | { kind: 'stop' }
  /** pan: -1 left, 1 right; tilt: -1 down, 1 up; zoom: -1 out (wide), 1 in (tele). */
  | { kind: 'ptz'; pan: Dir; tilt: Dir; zoom: Dir; panSpeed: number; tiltSpeed: number; zoomSpeed: number }
  /** focus: -1 near, 1 far; iris: -1 close, 1 open. */
  | { kind: 'fi'; focus: Dir; iris: Dir; focusSpeed: number; irisSpeed: number }
  | { kind: 'preset'; action: 'set' | 'call' | 'delete'; preset: number }
  | { kind: 'aux'; on: boolean; switchNo: number };

const PRESET_CODES = { set: 0x81, call: 0x82, delete: 0x83 } as const;

function byte(name: string, v: number, max = 255): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} must be an integer 0–${max}, got ${v}`);
  return v;
}

function bits(positive: number, negative: number, d: Dir): number {
  return d > 0 ? positive : d < 0 ? negative : 0;
}

/** The 16 upper-case hex characters of the command for device `address` (0–4095, usually 1). */
export function encodePtz(cmd: PtzCommand, address = 1): string {
  byte('address', address, 0xfff);
  let code = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  switch (cmd.kind) {
    case 'stop':
      break;
    case 'ptz':
      code = bits(0x01, 0x02, cmd.pan) | bits(0x08, 0x04, cmd.tilt) | bits(0x10, 0x20, cmd.zoom);
      d1 = byte('panSpeed', cmd.panSpeed);
      d2 = byte('tiltSpeed', cmd.tiltSpeed);
      d3 = byte('zoomSpeed', cmd.zoomSpeed, 15);
      break;
    case 'fi':
      code = 0x40 | bits(0x01, 0x02, cmd.focus) | bits(0x04, 0x08, cmd.iris);
      d1 = byte('focusSpeed', cmd.focusSpeed);
      d2 = byte('irisSpeed', cmd.irisSpeed);
      break;
    case 'preset':
      code = PRESET_CODES[cmd.action];
      d2 = byte('preset', cmd.preset);
      if (cmd.preset === 0) throw new RangeError('preset must be 1–255, got 0');
      break;
    case 'aux':
      code = cmd.on ? 0x8c : 0x8d;
      d1 = byte('switchNo', cmd.switchNo);
      break;
  }
  const bytes = [0xa5, 0x0f, address & 0xff, code, d1, d2, ((d3 & 0x0f) << 4) | ((address >> 8) & 0x0f)];
  bytes.push(bytes.reduce((a, b) => a + b, 0) & 0xff);
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

export type PtzDecodeResult = { ok: true; command: PtzCommand; address: number } | { ok: false; error: string };

/** Reads a PTZCmd (hex, any case, spaces tolerated); errors say which byte is wrong. */
export function decodePtz(hex: string): PtzDecodeResult {
  const clean = hex.replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]{16}$/.test(clean)) return { ok: false, error: `PTZCmd ${JSON.stringify(hex)} is not 16 hex digits` };
  const b = [...Buffer.from(clean, 'hex')];
  if (b[0] !== 0xa5) return { ok: false, error: `PTZCmd byte 1 is ${b[0]!.toString(16)}, not A5` };
  const version = b[1]! >> 4;
  if ((b[1]! & 0x0f) !== ((0xa + 0x5 + version) & 0x0f)) return { ok: false, error: 'PTZCmd byte 2 check nibble is wrong' };
  const sum = b.slice(0, 7).reduce((a, x) => a + x, 0) & 0xff;
  if (sum !== b[7]) return { ok: false, error: `PTZCmd checksum is ${b[7]!.toString(16)}, expected ${sum.toString(16)}` };
  const address = b[2]! | ((b[6]! & 0x0f) << 8);
  const code = b[3]!;
  const d1 = b[4]!;
  const d2 = b[5]!;
  const d3 = b[6]! >> 4;
  const dir = (pos: number, neg: number): Dir | null => {
    const p = (code & pos) !== 0;
    const n = (code & neg) !== 0;
    if (p && n) return null;
    return p ? 1 : n ? -1 : 0;
  };
  let command: PtzCommand;
  if (code === 0x00) command = { kind: 'stop' };
  else if (code < 0x40) {
    const pan = dir(0x01, 0x02);
    const tilt = dir(0x08, 0x04);
    const zoom = dir(0x10, 0x20);
    if (pan === null || tilt === null || zoom === null) return { ok: false, error: `PTZCmd instruction ${code.toString(16)} sets opposite directions` };
    command = { kind: 'ptz', pan, tilt, zoom, panSpeed: d1, tiltSpeed: d2, zoomSpeed: d3 };
  } else if (code < 0x50) {
    const focus = dir(0x01, 0x02);
    const iris = dir(0x04, 0x08);
    if (focus === null || iris === null) return { ok: false, error: `PTZCmd instruction ${code.toString(16)} sets opposite directions` };
    command = { kind: 'fi', focus, iris, focusSpeed: d1, irisSpeed: d2 };
  } else if (code === 0x81 || code === 0x82 || code === 0x83) {
    command = { kind: 'preset', action: code === 0x81 ? 'set' : code === 0x82 ? 'call' : 'delete', preset: d2 };
  } else if (code === 0x8c || code === 0x8d) {
    command = { kind: 'aux', on: code === 0x8c, switchNo: d1 };
  } else {
    return { ok: false, error: `PTZCmd instruction ${code.toString(16).toUpperCase()} is not supported (cruise/scan)` };
  }
  return { ok: true, command, address };
}
