// A strict XML well-formedness check for the SVGs the library writes, and a
// tiny tree to query them with. It throws on what an XML parser must refuse:
// unbalanced or crossed tags, unquoted or repeated attributes, '<' in
// attribute values, bare '&' or unknown entities, text or a second element
// outside the root, characters XML 1.0 forbids.

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const WS = /^[ \t\r\n]*/;

function unescape(s: string, at: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '&') { out += s[i]; continue; }
    const m = ENTITY.exec(s.slice(i));
    if (!m) throw new Error(`xml: bare '&' or unknown entity near offset ${at + i}: ${JSON.stringify(s.slice(i, i + 12))}`);
    const e = m[0].slice(1, -1);
    out += e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'"
      : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    i += m[0].length - 1;
  }
  return out;
}

/** Parses `doc` as XML, throwing an Error that says where it is not well-formed; returns the root element. */
export function parseXml(doc: string): XmlElement {
  if (FORBIDDEN.test(doc)) throw new Error('xml: a character XML 1.0 forbids');
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      i += WS.exec(doc.slice(i))![0].length;
      if (doc.startsWith('<?', i)) { const e = doc.indexOf('?>', i); if (e < 0) throw new Error('xml: unterminated <?'); i = e + 2; }
      else if (doc.startsWith('<!--', i)) { const e = doc.indexOf('-->', i); if (e < 0) throw new Error('xml: unterminated comment'); i = e + 3; }
      else return;
    }
  };
  const element = (): XmlElement => {
    if (doc[i] !== '<') throw new Error(`xml: expected '<' at offset ${i}`);
    i++;
    const nm = NAME.exec(doc.slice(i));
    if (!nm) throw new Error(`xml: bad element name at offset ${i}`);
    const el: XmlElement = { name: nm[0], attrs: {}, children: [], text: '' };
    i += nm[0].length;
    for (;;) {
      const ws = WS.exec(doc.slice(i))![0].length;
      i += ws;
      if (doc.startsWith('/>', i)) { i += 2; return el; }
      if (doc[i] === '>') { i++; break; }
      if (!ws) throw new Error(`xml: expected whitespace before attribute at offset ${i}`);
      const an = NAME.exec(doc.slice(i));
      if (!an) throw new Error(`xml: bad attribute name at offset ${i}`);
      i += an[0].length;
      if (doc[i] !== '=') throw new Error(`xml: attribute ${an[0]} without '=' at offset ${i}`);
      i++;
      const q = doc[i];
      if (q !== '"' && q !== "'") throw new Error(`xml: unquoted attribute ${an[0]} at offset ${i}`);
      const end = doc.indexOf(q, i + 1);
      if (end < 0) throw new Error(`xml: unterminated attribute ${an[0]}`);
      const raw = doc.slice(i + 1, end);
      if (raw.includes('<')) throw new Error(`xml: '<' in attribute ${an[0]} at offset ${i}`);
      if (an[0] in el.attrs) throw new Error(`xml: repeated attribute ${an[0]} at offset ${i}`);
      el.attrs[an[0]] = unescape(raw, i + 1);
      i = end + 1;
    }
    for (;;) {
      const lt = doc.indexOf('<', i);
      if (lt < 0) throw new Error(`xml: <${el.name}> is never closed`);
      el.text += unescape(doc.slice(i, lt), i);
      i = lt;
      if (doc.startsWith('</', i)) {
        const close = /^<\/([A-Za-z_:][-A-Za-z0-9_:.]*)[ \t\r\n]*>/.exec(doc.slice(i));
        if (!close || close[1] !== el.name) throw new Error(`xml: <${el.name}> closed by ${doc.slice(i, i + 20)} at offset ${i}`);
        i += close[0].length;
        return el;
      }
      if (doc.startsWith('<!--', i)) { const e = doc.indexOf('-->', i); if (e < 0) throw new Error('xml: unterminated comment'); i = e + 3; continue; }
      if (doc.startsWith('<![CDATA[', i)) { const e = doc.indexOf(']]>', i); if (e < 0) throw new Error('xml: unterminated CDATA'); el.text += doc.slice(i + 9, e); i = e + 3; continue; }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== doc.length) throw new Error(`xml: content after the root element at offset ${i}: ${JSON.stringify(doc.slice(i, i + 20))}`);
  return root;
}

/** Every element below (and including) `el`, depth first. */
export function descendants(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(descendants)];
}

/** Elements named `name` (and with class `cls`, when given). */
export function select(el: XmlElement, name: string, cls?: string): XmlElement[] {
  return descendants(el).filter((e) => e.name === name && (cls === undefined || (e.attrs.class ?? '').split(' ').includes(cls)));
}

/** All text inside an element. */
export function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join('');
}
