// The online-rate check times of seed 003 Appendix F (test 5.3): every half hour from 06:00 to 23:30
// Beijing time (UTC+8, no daylight saving), 36 a day.

const HOUR_MS = 3_600_000;
const HALF_HOUR_MS = HOUR_MS / 2;
const BEIJING_OFFSET_MS = 8 * HOUR_MS;
export const DAY_MS = 24 * HOUR_MS;
export const CHECKS_PER_DAY = 36;
const FIRST_CHECK_MS = 6 * HOUR_MS;

/** 'YYYY-MM-DD' (a Beijing calendar day) → the UTC instant of its Beijing midnight; throws on a bad date. */
export function beijingMidnight(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const utc = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || new Date(utc).toISOString().slice(0, 10) !== date) throw new Error(`${date}: must be a date YYYY-MM-DD`);
  return utc - BEIJING_OFFSET_MS;
}

/** The Beijing calendar day of an instant, 'YYYY-MM-DD'. */
export function beijingDate(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The 36 check instants of a Beijing day, 06:00 first, 23:30 last. */
export function checkSlots(date: string): number[] {
  const start = beijingMidnight(date) + FIRST_CHECK_MS;
  return Array.from({ length: CHECKS_PER_DAY }, (_, i) => start + i * HALF_HOUR_MS);
}

/** Whether an instant is one of the day's checks (a half hour from 06:00 to 23:30 Beijing time). */
export function isCheckSlot(ms: number): boolean {
  if (ms % HALF_HOUR_MS !== 0) return false;
  const sinceMidnight = (((ms + BEIJING_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return sinceMidnight >= FIRST_CHECK_MS;
}

/** The first check at or after `ms`. */
export function nextCheckSlot(ms: number): number {
  let slot = Math.ceil(ms / HALF_HOUR_MS) * HALF_HOUR_MS;
  while (!isCheckSlot(slot)) slot += HALF_HOUR_MS;
  return slot;
}

/** `days` Beijing dates ending with `last`, oldest first. */
export function daysEndingWith(last: string, days: number): string[] {
  const end = beijingMidnight(last);
  return Array.from({ length: days }, (_, i) => beijingDate(end - (days - 1 - i) * DAY_MS));
}
