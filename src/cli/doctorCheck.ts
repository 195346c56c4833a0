// One line of `vcgw doctor`: what was checked, the verdict, and what to try.
export type Check = {
  check: string;
  result: 'ok' | 'warn' | 'FAIL';
  detail: string;
  /** What to try when the result is not ok. */
  fix?: string;
};
