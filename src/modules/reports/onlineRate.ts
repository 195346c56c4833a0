// The online-rate rule of seed 003 Appendix F (test 5.3), applied to the gateway's own recorded checks:
// - 36 checks a day, every half hour 06:00–23:30 Beijing time;
// - a camera is online on a day when it was online at ≥ 20 of them, offline otherwise;
// - the day's rate = cameras online that day / all cameras × 100 %;
// - the section fails when the rate is below 95 % on each of 7 consecutive days (Appendix F test 5.3), and a
//   camera meets the 95 % target when it was online on ≥ 95 % of the days (of 7: all of them).
// A check with no record at all (the gateway was not running) is "gateway down"; a camera
// without a record at a check counts as not online there.
import { ONLINE } from '../../domain/online.js';
import type { OnlineCheckRow } from '../../store/onlineChecks.js';
import { CHECKS_PER_DAY, checkSlots } from './checkSlots.js';

export const ONLINE_CHECKS_NEEDED = 20;
export const TARGET_PERCENT = 95;
export const CONSECUTIVE_DAYS = 7;

export interface CameraDay {
  date: string;
  /** Checks at which the camera was online (of 36). */
  onlineChecks: number;
  online: boolean;
}

export interface CameraOnline {
  cameraNum: string;
  /** The camera's id on this gateway, when it is still registered. */
  id: string | null;
  days: CameraDay[];
  onlineDays: number;
  percent: number;
  meetsTarget: boolean;
}

export interface DayOnline {
  date: string;
  /** Checks the gateway recorded (of 36); the rest it was down for. */
  checksTaken: number;
  gatewayDownChecks: number;
  camerasOnline: number;
  cameras: number;
  percent: number;
  meetsTarget: boolean;
}

export interface OnlineReport {
  days: DayOnline[];
  cameras: CameraOnline[];
  /** Every day below 95 % over at least 7 consecutive days of the period (Appendix F test 5.3: 考核不达标). */
  sectionFails: boolean;
}

const percentOf = (n: number, of: number) => (of === 0 ? 0 : Math.round((10_000 * n) / of) / 100);

/**
 * `cameras` are the registered cameras (cameraNum → id); cameras that appear only in `checks`
 * (removed since) are counted too, for the days they were recorded on.
 */
export function onlineReport(dates: readonly string[], cameras: ReadonlyMap<string, string>, checks: readonly OnlineCheckRow[]): OnlineReport {
  const onlineAt = new Map<string, Set<number>>();
  const taken = new Set<number>();
  for (const c of checks) {
    taken.add(c.checkAt);
    if (!onlineAt.has(c.cameraNum)) onlineAt.set(c.cameraNum, new Set());
    if (c.online === ONLINE.online) onlineAt.get(c.cameraNum)!.add(c.checkAt);
  }
  const nums = [...new Set([...cameras.keys(), ...onlineAt.keys()])].sort((a, b) => (cameras.get(a) ?? `~${a}`).localeCompare(cameras.get(b) ?? `~${b}`));
  const slotsOf = new Map(dates.map((d) => [d, checkSlots(d)]));

  const perCamera: CameraOnline[] = nums.map((cameraNum) => {
    const at = onlineAt.get(cameraNum) ?? new Set<number>();
    const days = dates.map((date) => {
      const onlineChecks = slotsOf.get(date)!.filter((s) => at.has(s)).length;
      return { date, onlineChecks, online: onlineChecks >= ONLINE_CHECKS_NEEDED };
    });
    const onlineDays = days.filter((d) => d.online).length;
    const percent = percentOf(onlineDays, days.length);
    return { cameraNum, id: cameras.get(cameraNum) ?? null, days, onlineDays, percent, meetsTarget: percent >= TARGET_PERCENT };
  });

  const perDay: DayOnline[] = dates.map((date, i) => {
    const checksTaken = slotsOf.get(date)!.filter((s) => taken.has(s)).length;
    const camerasOnline = perCamera.filter((c) => c.days[i]!.online).length;
    const percent = percentOf(camerasOnline, perCamera.length);
    return { date, checksTaken, gatewayDownChecks: CHECKS_PER_DAY - checksTaken, camerasOnline, cameras: perCamera.length, percent, meetsTarget: percent >= TARGET_PERCENT };
  });

  let run = 0;
  let sectionFails = false;
  for (const d of perDay) {
    run = d.meetsTarget ? 0 : run + 1;
    if (run >= CONSECUTIVE_DAYS) sectionFails = true;
  }
  return { days: perDay, cameras: perCamera, sectionFails };
}
