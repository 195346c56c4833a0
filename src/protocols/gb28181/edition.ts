// Which edition of GB/T 28181 a peer speaks. Implementations of the 2022 edition (its Annex I,
// as public implementations cite it) carry an X-GB-Ver header on REGISTER and its responses:
// 2.0 for 2016, 3.0 for 2022. A peer without the header is taken as 2016.

export type GbEdition = '2016' | '2022';

export const X_GB_VER: Record<GbEdition, string> = { '2016': '2.0', '2022': '3.0' };

/** The edition an X-GB-Ver value names (spaces tolerated); no header → 2016; anything else → null. */
export function editionOf(xGbVer: string | undefined): GbEdition | null {
  if (xGbVer === undefined) return '2016';
  const v = xGbVer.trim();
  if (/^2(\.\d+)?$/.test(v)) return '2016';
  if (/^3(\.\d+)?$/.test(v)) return '2022';
  return null;
}
