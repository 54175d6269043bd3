/**
 * A small, strict XML 1.0 parser for the PMML tests: it accepts only well-formed documents
 * (one root, matching tags, quoted and unique attributes, no raw '<' or stray '&' in text or
 * attribute values, known entities only) and returns the element tree. Written from the XML
 * 1.0 grammar (W3C Recommendation, 5th ed., §2.1–2.8, §3.1, §4.1); no DTDs, no CDATA, which
 * PMML does not need.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside the element, entities decoded. */
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new SyntaxError(`raw '<' in character data near offset ${where}`);
  return raw.replace(/&([^;\s]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new SyntaxError(`'&' that starts no entity near offset ${where}`);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    const e = ENTITIES[body];
    if (e === undefined) throw new SyntaxError(`unknown entity &${body}; near offset ${where}`);
    return e;
  });
}

/** Parse a complete document; throws SyntaxError when it is not well-formed. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const skipSpace = () => { while (i < source.length && /\s/.test(source[i])) i++; };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) throw new SyntaxError('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new SyntaxError('unterminated XML declaration');
    i = end + 2;
  }
  skipMisc();
  const readName = () => {
    const m = NAME.exec(source.slice(i, i + 200));
    if (!m) throw new SyntaxError(`expected a name at offset ${i}`);
    i += m[0].length;
    return m[0];
  };
  const parseElement = (): XmlElement => {
    if (source[i] !== '<') throw new SyntaxError(`expected '<' at offset ${i}`);
    i++;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) { i += 2; return element; }
      if (source[i] === '>') { i++; break; }
      if (i === before) throw new SyntaxError(`expected whitespace before an attribute at offset ${i}`);
      const name = readName();
      skipSpace();
      if (source[i] !== '=') throw new SyntaxError(`expected '=' after attribute ${name} at offset ${i}`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") throw new SyntaxError(`attribute ${name} is not quoted at offset ${i}`);
      const end = source.indexOf(quote, i + 1);
      if (end < 0) throw new SyntaxError(`unterminated value of attribute ${name}`);
      if (Object.hasOwn(element.attributes, name)) throw new SyntaxError(`duplicate attribute ${name} on <${element.name}>`);
      element.attributes[name] = decode(source.slice(i + 1, end), i);
      i = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) throw new SyntaxError(`<${element.name}> is never closed`);
      element.text += decode(source.slice(i, next), i);
      i = next;
      if (source.startsWith('<!--', i)) { skipMisc(); continue; }
      if (source.startsWith('</', i)) {
        i += 2;
        const name = readName();
        if (name !== element.name) throw new SyntaxError(`</${name}> closes <${element.name}> at offset ${i}`);
        skipSpace();
        if (source[i] !== '>') throw new SyntaxError(`expected '>' at offset ${i}`);
        i++;
        return element;
      }
      element.children.push(parseElement());
    }
  };
  const root = parseElement();
  skipMisc();
  if (i !== source.length) throw new SyntaxError(`content after the root element at offset ${i}`);
  return root;
}

/** Direct children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The only direct child named `name` (throws when absent or repeated). */
export function child(element: XmlElement, name: string): XmlElement {
  const found = childrenNamed(element, name);
  if (found.length !== 1) throw new Error(`<${element.name}> has ${found.length} <${name}> children, expected 1`);
  return found[0];
}
