import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, DataError } from '../../src/errors.js';
import {
  CONSORTIUM_KEY_ENV,
  Tokenizer,
  formatConsortiumKey,
  generateConsortiumKey,
  loadConsortiumKey,
  normalizeValue,
  parseConsortiumKey,
  type TokenMode,
} from '../../src/privacy/tokenize.js';

interface TokenVectors { source: string; key: string; cases: { domain: string; value: string; hmac: string; siv: string }[] }
const vectors = JSON.parse(readFileSync(new URL('../vectors/tokenize.json', import.meta.url), 'utf8')) as TokenVectors;
const vectorKey = new Uint8Array(Buffer.from(vectors.key, 'hex'));
const keyA = new Uint8Array(32).fill(0xa1);
const keyB = new Uint8Array(32).fill(0xb2);
const MODES: TokenMode[] = ['hmac', 'siv'];
const TOKEN = /^tk_[A-Za-z0-9_-]+$/;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('pinned tokens (computed independently with python cryptography / OpenSSL)', () => {
  for (const c of vectors.cases) {
    it(`${c.domain}=${JSON.stringify(c.value)}`, () => {
      expect(new Tokenizer({ key: vectorKey, mode: 'hmac', domain: c.domain }).token(c.value)).toBe(c.hmac);
      const siv = new Tokenizer({ key: vectorKey, mode: 'siv', domain: c.domain });
      expect(siv.token(c.value)).toBe(c.siv);
      expect(siv.reveal(c.siv)).toBe(c.value);
    });
  }
});

describe.each(MODES)('Tokenizer (%s)', (mode) => {
  it('gives equal tokens for equal values across instances holding the same key', () => {
    const a = new Tokenizer({ key: Uint8Array.from(keyA), mode, domain: 'statussex' });
    const b = new Tokenizer({ key: Uint8Array.from(keyA), mode, domain: 'statussex' });
    for (const v of ['A91', 'A92', 'A93', '', 'x'.repeat(1000)]) {
      expect(a.token(v)).toMatch(TOKEN);
      expect(a.token(v)).toBe(b.token(v));
      expect(a.token(v)).toBe(a.token(v));
    }
    expect(a.token('A91')).not.toBe(a.token('A92'));
  });

  it('separates domains, keys and modes', () => {
    const base = new Tokenizer({ key: keyA, mode, domain: 'statussex' }).token('A93');
    expect(new Tokenizer({ key: keyA, mode, domain: 'foreignworker' }).token('A93')).not.toBe(base);
    expect(new Tokenizer({ key: keyB, mode, domain: 'statussex' }).token('A93')).not.toBe(base);
    expect(new Tokenizer({ key: keyA, mode: mode === 'hmac' ? 'siv' : 'hmac', domain: 'statussex' }).token('A93')).not.toBe(base);
    // the HKDF info separates mode and domain with a NUL, so 'ab' + 'c' and 'a' + 'bc' differ
    expect(new Tokenizer({ key: keyA, mode, domain: 'statussex ' }).token('A93')).not.toBe(base);
  });

  it('has no collisions over 10,000 random distinct values', () => {
    const tokenizer = new Tokenizer({ key: keyA, mode, domain: 'id' });
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 24 }), { minLength: 10_000, maxLength: 10_000 }), (values) => {
        expect(new Set(values.map((v) => tokenizer.token(v))).size).toBe(values.length);
      }),
      { numRuns: 2 },
    );
  });

  it('tokens of short values all have the length of an HMAC token (43 base64url characters)', () => {
    const t = new Tokenizer({ key: keyA, mode, domain: 'id' });
    for (const v of ['', 'A93', 'fifteen bytes!!']) expect(t.token(v)).toHaveLength(3 + 43);
  });

  it('normalises only when asked', () => {
    const plain = new Tokenizer({ key: keyA, mode, domain: 'name' });
    const folded = new Tokenizer({ key: keyA, mode, domain: 'name', normalize: { trim: true, caseFold: true } });
    expect(plain.token(' A93')).not.toBe(plain.token('A93'));
    expect(plain.token('a93')).not.toBe(plain.token('A93'));
    expect(folded.token('  Straße ')).toBe(folded.token('STRASSE'));
    expect(folded.token('ﬁle')).toBe(folded.token('FILE')); // NFKC: the ligature is two letters
    // normalisation only changes the input, so already-normal values get the same token either way
    expect(folded.token('strasse')).toBe(plain.token('strasse'));
  });

  it('rejects lone surrogates, which UTF-8 would turn into one colliding U+FFFD', () => {
    const t = new Tokenizer({ key: keyA, mode, domain: 'id' });
    expect(() => t.token('\uD800')).toThrow(/lone surrogate/);
    expect(() => t.token('a\uDC00')).toThrow(TypeError);
    expect(t.token('\uD83D\uDE00')).toMatch(TOKEN); // a proper surrogate pair is fine
  });
});

describe('Tokenizer reveal (siv)', () => {
  const siv = new Tokenizer({ key: keyA, mode: 'siv', domain: 'statussex' });

  it('round-trips arbitrary well-formed strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (v) => {
      expect(siv.reveal(siv.token(v))).toBe(v);
    }), { numRuns: 500 });
  });

  it('reveals the normalised value', () => {
    const folded = new Tokenizer({ key: keyA, mode: 'siv', domain: 'x', normalize: { trim: true, caseFold: true } });
    expect(folded.reveal(folded.token('  ÄBC '))).toBe('äbc');
  });

  it('detects altered tokens and tokens of another domain, key or mode', () => {
    const token = siv.token('A93');
    for (let i = 3; i < token.length; i++) {
      const swapped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(codeOf(() => siv.reveal(swapped)), `position ${i}`).toBe('TOKEN_INVALID');
    }
    const others = [
      new Tokenizer({ key: keyA, mode: 'siv', domain: 'foreignworker' }).token('A93'),
      new Tokenizer({ key: keyB, mode: 'siv', domain: 'statussex' }).token('A93'),
      new Tokenizer({ key: keyA, mode: 'hmac', domain: 'statussex' }).token('A93'),
    ];
    for (const other of others) expect(() => siv.reveal(other)).toThrow(DataError);
  });

  it('rejects malformed tokens with TOKEN_INVALID', () => {
    const token = siv.token('A93');
    for (const bad of ['', 'tk_', token.slice(3), `xx_${token.slice(3)}`, `${token}=`, token.slice(0, -1), `${token}AAAA`, 'tk_!!!!', 'tk_' + 'A'.repeat(22)]) {
      expect(codeOf(() => siv.reveal(bad)), JSON.stringify(bad)).toBe('TOKEN_INVALID');
    }
    expect(() => siv.reveal(42 as unknown as string)).toThrow(TypeError);
  });

  it('refuses to reveal in hmac mode: HMAC tokens are one-way', () => {
    const hmac = new Tokenizer({ key: keyA, mode: 'hmac', domain: 'statussex' });
    expect(() => hmac.reveal(hmac.token('A93'))).toThrow(ConfigError);
    expect(codeOf(() => hmac.reveal(hmac.token('A93')))).toBe('TOKEN_ONE_WAY');
  });

  it('cannot be used after wipe(), in either mode', () => {
    for (const mode of MODES) {
      const t = new Tokenizer({ key: keyA, mode, domain: 'x' });
      const token = t.token('A93');
      t.wipe();
      t.wipe();
      expect(() => t.token('A93')).toThrow(/wipe/);
      expect(() => t.reveal(token)).toThrow(/wipe/);
    }
  });
});

describe('Tokenizer hostile arguments', () => {
  const table: [string, () => unknown, RegExp][] = [
    ['no options', () => new Tokenizer(undefined as never), /options/],
    ['key as hex string', () => new Tokenizer({ key: 'a1'.repeat(32) as unknown as Uint8Array, mode: 'hmac', domain: 'x' }), /key: expected a Uint8Array/],
    ['key of 31 bytes', () => new Tokenizer({ key: new Uint8Array(31), mode: 'hmac', domain: 'x' }), /key: expected 32 to 64 bytes, got 31/],
    ['key of 65 bytes', () => new Tokenizer({ key: new Uint8Array(65), mode: 'hmac', domain: 'x' }), /key: .*got 65/],
    ['unknown mode', () => new Tokenizer({ key: keyA, mode: 'aes' as TokenMode, domain: 'x' }), /mode/],
    ['empty domain', () => new Tokenizer({ key: keyA, mode: 'hmac', domain: '' }), /domain/],
    ['numeric domain', () => new Tokenizer({ key: keyA, mode: 'hmac', domain: 5 as unknown as string }), /domain/],
    ['null normalize', () => new Tokenizer({ key: keyA, mode: 'hmac', domain: 'x', normalize: null as never }), /normalize/],
    ['numeric value', () => new Tokenizer({ key: keyA, mode: 'hmac', domain: 'x' }).token(5 as unknown as string), /value/],
    ['null value', () => new Tokenizer({ key: keyA, mode: 'siv', domain: 'x' }).token(null as unknown as string), /value/],
  ];
  for (const [name, call, expected] of table) it(`rejects ${name}`, () => expect(call).toThrow(expected));

  it('normalizeValue is the identity without options', () => {
    expect(normalizeValue(' A93 ')).toBe(' A93 ');
    expect(normalizeValue(' A93 ', { trim: true })).toBe('A93');
  });
});

describe('consortium keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-key-'));
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);
  const hexText = Buffer.from(key).toString('hex');

  it('generates 32 fresh random bytes that survive format and parse', () => {
    const a = generateConsortiumKey();
    expect(a).toHaveLength(32);
    expect(generateConsortiumKey()).not.toEqual(a);
    expect(generateConsortiumKey(64)).toHaveLength(64);
    expect(parseConsortiumKey(formatConsortiumKey(a), 'test')).toEqual(a);
    expect(() => generateConsortiumKey(16)).toThrow(RangeError);
  });

  it('reads hex, base64 and base64url, ignoring surrounding white space', () => {
    for (const text of [hexText, hexText.toUpperCase(), `  ${hexText}\r\n`, Buffer.from(key).toString('base64'), Buffer.from(key).toString('base64url')]) {
      expect(parseConsortiumKey(text, 'test')).toEqual(key);
    }
  });

  it('loads from a file, else from the environment variable', () => {
    const path = join(dir, 'consortium.key');
    writeFileSync(path, `${hexText}\n`);
    expect(loadConsortiumKey({ path })).toEqual(key);
    expect(loadConsortiumKey({ env: { [CONSORTIUM_KEY_ENV]: Buffer.from(key).toString('base64') } })).toEqual(key);
    expect(codeOf(() => loadConsortiumKey({ env: {} }))).toBe('KEY_MISSING');
    expect(codeOf(() => loadConsortiumKey({ env: { [CONSORTIUM_KEY_ENV]: '  ' } }))).toBe('KEY_MISSING');
  });

  it('reports unreadable, short, long and garbled keys without printing key material', () => {
    const short = 'ab'.repeat(31);
    const cases: [() => unknown, string][] = [
      [() => loadConsortiumKey({ path: join(dir, 'missing.key') }), 'KEY_UNREADABLE'],
      [() => loadConsortiumKey({ path: dir }), 'KEY_UNREADABLE'],
      [() => parseConsortiumKey(short, 'test'), 'KEY_INVALID'],
      [() => parseConsortiumKey('ab'.repeat(65), 'test'), 'KEY_INVALID'],
      [() => parseConsortiumKey(`${hexText}!`, 'test'), 'KEY_INVALID'],
      [() => parseConsortiumKey('', 'test'), 'KEY_INVALID'],
      [() => loadConsortiumKey({ env: { [CONSORTIUM_KEY_ENV]: short } }), 'KEY_INVALID'],
    ];
    for (const [call, code] of cases) {
      expect(codeOf(call)).toBe(code);
      try {
        call();
      } catch (err) {
        expect((err as Error).message).not.toContain(short);
        expect((err as Error).message).not.toContain(hexText);
      }
    }
    const unreadable = join(dir, 'unreadable.key');
    writeFileSync(unreadable, hexText);
    chmodSync(unreadable, 0o000);
    // root reads any file; the check only means something for ordinary users
    if (process.getuid?.() !== 0) expect(codeOf(() => loadConsortiumKey({ path: unreadable }))).toBe('KEY_UNREADABLE');
  });
});
