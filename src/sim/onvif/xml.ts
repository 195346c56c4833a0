// Hand-written minimal XML reader: the simulator only needs element names, attributes and text of
// small SOAP requests, and the project keeps no XML library as a direct dependency.

export interface XmlElement {
  /** Local name, namespace prefix stripped. */
  name: string;
  /** Namespace URI the element's prefix (or default namespace) resolves to; '' if none. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}

function localName(q: string): string {
  const i = q.indexOf(':');
  return i < 0 ? q : q.slice(i + 1);
}

interface Frame {
  el: XmlElement;
  qname: string;
  scope: Map<string, string>;
}

/** Parses a document into its root element; throws on malformed nesting. */
export function parseXml(xml: string): XmlElement {
  const tagRe = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<(\/?)([^\s/>]+)((?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  const attrRe = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  const stack: Frame[] = [];
  let root: XmlElement | undefined;
  let last = 0;
  for (let m = tagRe.exec(xml); m; m = tagRe.exec(xml)) {
    const between = xml.slice(last, m.index);
    last = tagRe.lastIndex;
    const top = stack[stack.length - 1];
    if (top) top.el.text += decode(between);
    else if (between.trim() !== '') throw new Error('text outside the root element');
    if (m[1] !== undefined) {
      if (top) top.el.text += m[1];
      continue;
    }
    const qname = m[3];
    if (qname === undefined) continue; // comment, declaration, doctype
    if (m[2] === '/') {
      const f = stack.pop();
      if (!f || f.qname !== qname) throw new Error(`mismatched </${qname}>`);
      continue;
    }
    const scope = new Map(top?.scope ?? []);
    const attrs: Record<string, string> = {};
    for (let a = attrRe.exec(m[4] ?? ''); a; a = attrRe.exec(m[4] ?? '')) {
      const key = a[1] as string;
      const value = decode(a[2] ?? a[3] ?? '');
      if (key === 'xmlns') scope.set('', value);
      else if (key.startsWith('xmlns:')) scope.set(key.slice(6), value);
      else attrs[localName(key)] = value;
    }
    const colon = qname.indexOf(':');
    const el: XmlElement = {
      name: localName(qname),
      ns: scope.get(colon < 0 ? '' : qname.slice(0, colon)) ?? '',
      attrs,
      children: [],
      text: '',
    };
    if (top) top.el.children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (m[5] !== '/') stack.push({ el, qname, scope });
  }
  if (!root || stack.length > 0) throw new Error('incomplete XML document');
  return root;
}

/** First descendant reached by following local names, e.g. child(env, 'Header', 'Security'). */
export function child(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = el;
  for (const name of path) {
    cur = cur?.children.find((c) => c.name === name);
    if (!cur) return undefined;
  }
  return cur;
}

export function childText(el: XmlElement | undefined, ...path: string[]): string | undefined {
  const c = child(el, ...path);
  return c === undefined ? undefined : c.text.trim();
}

export type PlainXml = string | { [key: string]: PlainXml | PlainXml[] };

/** A JSON-friendly view of an element for call records: attributes as '@name', repeated children as arrays. */
export function toPlain(el: XmlElement): PlainXml {
  if (el.children.length === 0 && Object.keys(el.attrs).length === 0) return el.text.trim();
  const out: { [key: string]: PlainXml | PlainXml[] } = {};
  for (const [k, v] of Object.entries(el.attrs)) out[`@${k}`] = v;
  for (const c of el.children) {
    const v = toPlain(c);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.name] = [prev, v];
  }
  if (el.children.length === 0 && el.text.trim() !== '') out['#text'] = el.text.trim();
  return out;
}
