// What a PTZ request asks a camera to do, whoever asks (the province's PTZControl, `vcgw ptz`,
// later a GB/T 28181 upper platform); each driver turns it into its protocol's command.

export type PtzAction =
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'zoom-wide'
  | 'zoom-tele'
  | 'focus-near'
  | 'focus-far'
  | 'iris-close'
  | 'iris-open'
  | 'light-off'
  | 'light-on';

/**
 * The action column of the PTZ log (1–12; presets log as 101–103). It is the province's PTZControl
 * numbering, which its uplink maps from (src/modules/uplinks/province/wire.ts); the two are held
 * equal by that module's test.
 */
export const PTZ_LOG_CODES: Readonly<Record<PtzAction, number>> = {
  left: 1,
  right: 2,
  up: 3,
  down: 4,
  'zoom-wide': 5,
  'zoom-tele': 6,
  'focus-near': 7,
  'focus-far': 8,
  'iris-close': 9,
  'iris-open': 10,
  'light-off': 11,
  'light-on': 12,
};
