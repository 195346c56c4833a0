// Every citation in src/ of a document that is not in the repository (CONTRACT, ARCHITECTURE,
// seed 003 with its Appendix E and other appendices, the seeds by number, GB/T 28181 clauses)
// has a row in docs/README.md's citation table, and every row's page and anchor exist; every RFC
// cited is listed under the README's external standards. Reads files only: well under a second.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

const root = path.resolve(import.meta.dirname, '../..');
const docsDir = path.join(root, 'docs');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

interface Citation {
  key: string;
  where: string;
}

// A `§` takes the nearest standard named before it on the same line; without one it is seed 003's
// (docs/README.md "How citations in the code resolve"), unless the file names an RFC or ISO/IEC
// standard, whose clauses bare `§`s there are.
const SECTION_OR_QUALIFIER =
  /(CONTRACT|ARCHITECTURE|seed(?: (00\d))?|RFC \d+|GB\/T 28181(?:-20\d\d)?|ISO\/IEC [\d-]+|H\.26[45]|SOAP \d[\d.]*)|§\s?(\d+(?:\.\d+)*)/g;
const APPENDIX_E = /\bE[- ](\d+)(?:\.(\d+|x))?\b/g;
const APPENDIX = /\bAppendix ([A-Z])\b/g;
const SEED = /\bseed (00\d)\b/g;
const RFC = /\bRFC (\d+)/g;

function sectionKey(qualifier: string | undefined, seedNo: string | undefined, num: string, standardFile: boolean): string | undefined {
  if (qualifier === undefined) return standardFile ? undefined : `seed 003 §${num}`;
  if (qualifier === 'CONTRACT') return `CONTRACT §${num.split('.')[0]}`;
  if (qualifier === 'ARCHITECTURE') return `ARCHITECTURE §${num.split('.')[0]}`;
  if (qualifier.startsWith('seed')) return `seed ${seedNo ?? '003'} §${num}`;
  if (qualifier.startsWith('GB/T 28181')) return `GB/T 28181 §${num}`;
  return undefined; // RFC, ISO/IEC, H.264/H.265, SOAP: public standards, listed by number below
}

function citationsIn(text: string, file: string): { cites: Citation[]; rfcs: Citation[] } {
  const standardFile = /\bRFC \d+|ISO\/IEC \d/.test(text);
  const cites: Citation[] = [];
  const rfcs: Citation[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    for (const m of line.matchAll(APPENDIX_E)) cites.push({ key: m[2] && m[2] !== 'x' ? `E-${m[1]}.${m[2]}` : `E-${m[1]}`, where });
    for (const m of line.matchAll(APPENDIX)) cites.push({ key: `Appendix ${m[1]}`, where });
    for (const m of line.matchAll(SEED)) cites.push({ key: `seed ${m[1]}`, where });
    for (const m of line.matchAll(RFC)) rfcs.push({ key: `RFC ${m[1]}`, where });
    let qualifier: string | undefined;
    let seedNo: string | undefined;
    for (const m of line.matchAll(SECTION_OR_QUALIFIER)) {
      if (m[1] !== undefined) {
        qualifier = m[1];
        seedNo = m[2];
        continue;
      }
      const key = sectionKey(qualifier, seedNo, m[3]!, standardFile);
      if (key) cites.push({ key, where });
    }
  });
  return { cites, rfcs };
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchorExists(page: string, anchor: string): boolean {
  const text = fs.readFileSync(page, 'utf8');
  if (text.includes(`id="${anchor}"`)) return true;
  return text.split('\n').some((l) => /^#{1,6} /.test(l) && slug(l.replace(/^#+ /, '')) === anchor);
}

const readme = fs.readFileSync(path.join(docsDir, 'README.md'), 'utf8');
const table = new Map<string, string>();
for (const m of readme.matchAll(/^\|\s*`([^`]+)`\s*\|\s*\[[^\]]*\]\(([^)\s]+)\)/gm)) table.set(m[1]!, m[2]!);
const listedRfcs = new Set([...readme.matchAll(/`(RFC \d+)`/g)].map((m) => m[1]!));

const all = tsFiles(path.join(root, 'src')).map((f) => citationsIn(fs.readFileSync(f, 'utf8'), path.relative(root, f)));
const cites = all.flatMap((c) => c.cites);
const rfcs = all.flatMap((c) => c.rfcs);

t.ok(cites.length > 50, `the scanner finds citations in src/ (found ${cites.length})`);

const sample = citationsIn(
  [
    '// (CONTRACT §3, §4 last bullet) E 1.3 E-5.x E-4.1: seed 003 §6.1.2 d, seed §6.3',
    '// GB/T 28181 §9.10; seed 003 Appendix B',
    '// bare §6.4 and ARCHITECTURE §2–§4',
  ].join('\n'),
  'sample.ts',
);
const rfcSample = citationsIn('// RFC 3261 §18.3\n// retransmitted until the ACK (§13.3.1.4)', 'rfc.ts');
t.same(
  { keys: sample.cites.map((c) => c.key), rfcFile: rfcSample.cites.map((c) => c.key), rfcs: rfcSample.rfcs.map((c) => c.key) },
  {
    keys: [
      'E-1.3', 'E-5', 'E-4.1', 'seed 003', 'CONTRACT §3', 'CONTRACT §4', 'seed 003 §6.1.2', 'seed 003 §6.3',
      'Appendix B', 'seed 003', 'GB/T 28181 §9.10',
      'seed 003 §6.4', 'ARCHITECTURE §2', 'ARCHITECTURE §4',
    ],
    rfcFile: [],
    rfcs: ['RFC 3261'],
  },
  'citation forms are normalised as docs/README.md describes',
);

const brokenRows = [...table].filter(([, target]) => {
  const [file, anchor] = target.split('#');
  const page = path.join(docsDir, file!);
  return !fs.existsSync(page) || (anchor !== undefined && !anchorExists(page, anchor));
});
t.same(brokenRows.map(([key, target]) => `${key} → ${target}`), [], 'every row of the citation table leads to an existing page and anchor');

const unresolved = [...new Map(cites.filter((c) => !table.has(c.key)).map((c) => [c.key, c.where])).entries()];
t.same(unresolved.map(([key, where]) => `${key} (${where})`), [], 'every citation in src/ has a row in docs/README.md');

const unlisted = [...new Map(rfcs.filter((c) => !listedRfcs.has(c.key)).map((c) => [c.key, c.where])).entries()];
t.same(unlisted.map(([key, where]) => `${key} (${where})`), [], 'every RFC cited in src/ is listed under external standards');
