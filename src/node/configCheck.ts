/**
 * The checking toolkit behind the node configuration parser: typed reads from parsed YAML that
 * record a problem with its path and carry on with a fallback (so one run reports every
 * problem), "did you mean" suggestions for misspelt keys and names, and `${NAME}` environment
 * substitution so that secrets such as enrollment tokens stay out of the file.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** One problem in a configuration file: where (a YAML path such as `datasets[1].key`) and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * An invalid configuration file, with every problem listed: the message has one line per issue,
 * `<file>: <path>: <message>`, and `issues` keeps them for callers that render them (web UI).
 */
export class NodeConfigError extends ConfigError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];
  constructor(file: string, issues: readonly ConfigIssue[], code = 'CONFIG_INVALID') {
    super(issues.map((i) => `${file}: ${i.path}: ${i.message}`).join('\n'), code);
    this.file = file;
    this.issues = issues;
  }
}

/** A YAML mapping after parsing. */
export type Mapping = Record<string, unknown>;

/** Keys that jobs and URLs use for datasets and nodes: lowercase letters, digits and dashes. */
export const SLUG_PATTERN = /^[a-z0-9-]{1,64}$/;

const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Levenshtein edit distance (insertions, deletions, substitutions all cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * ` (did you mean "x"?)` for the candidate closest to `word` (case-insensitive edit distance at
 * most a third of the word, or one being a prefix of the other), else the empty string.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(w.length / 3));
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = w.length >= 3 && (c.startsWith(w) || w.startsWith(c)) ? 0.5 : editDistance(w, c);
    if (d <= bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

// `$${` escapes a literal `${`; a `${` matching neither form is malformed.
const ENV_REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

/**
 * Replace `${NAME}` and `${NAME:-default}` in every string of a parsed document (keys are left
 * alone). Like the shell, `:-` uses the default when the variable is unset or empty. An unset
 * variable without default is an issue at the string's path.
 */
export function substituteEnv(value: unknown, path: string, env: NodeJS.ProcessEnv, checker: ConfigChecker): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (match: string, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      if (name === undefined) {
        checker.add(path, 'malformed ${…}: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)');
        checker.silence(path);
        return match;
      }
      const set = env[name];
      if (set !== undefined && (set !== '' || fallback === undefined)) return set;
      if (fallback !== undefined) return fallback;
      checker.add(path, `environment variable ${name} is not set (referenced as \${${name}})`);
      checker.silence(path);
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, `${path}[${i}]`, env, checker));
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, at(path, k), env, checker)]));
  return value;
}

/**
 * Typed reads from a parsed YAML mapping. Each read validates one field; on a problem it
 * records an issue and returns the fallback (or undefined), so parsing continues and the
 * caller throws once with every issue.
 */
export class ConfigChecker {
  readonly issues: ConfigIssue[] = [];
  private readonly silenced = new Set<string>();
  /** Absolute folder that relative paths resolve against. */
  readonly baseDir: string;

  constructor(baseDir: string) {
    this.baseDir = baseDir;
  }

  /** Record a problem at `path` (the empty path is the top level). */
  add(path: string, message: string): void {
    if (this.silenced.has(path)) return;
    this.issues.push({ path: path === '' ? '(top level)' : path, message });
  }

  /**
   * Report nothing more at `path`: its value is already known to be wrong (an unset variable),
   * and follow-up complaints about the unsubstituted text would only bury the real problem.
   */
  silence(path: string): void {
    this.silenced.add(path);
  }

  /** A short description of a parsed YAML value for messages. */
  describe(value: unknown): string {
    if (value === null || value === undefined) return 'nothing';
    if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    if (Array.isArray(value)) return 'a list';
    if (isMapping(value)) return 'a mapping';
    return String(value);
  }

  /** `value` as a mapping whose keys must all be in `keys` (unknown keys get a suggestion). */
  mapping(value: unknown, path: string, keys: readonly string[], what: string): Mapping | undefined {
    if (!isMapping(value)) {
      this.add(path, `expected a mapping (key: value lines) for ${what}, got ${this.describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.add(at(path, key), `unknown key${didYouMean(key, keys)}; expected one of ${keys.join(', ')}`);
    }
    return value;
  }

  /** An optional nested mapping; absent or empty means all defaults. */
  section(m: Mapping, key: string, path: string, keys: readonly string[]): Mapping {
    const value = m[key];
    if (value === undefined || value === null) return {};
    return this.mapping(value, at(path, key), keys, `${key} settings`) ?? {};
  }

  /** Non-empty text, at most `maxLength` characters; absent is an issue only when `required`. */
  string(m: Mapping, key: string, path: string, options: { required?: boolean; maxLength?: number } = {}): string | undefined {
    const value = m[key];
    const p = at(path, key);
    if (value === undefined || value === null) {
      if (options.required) this.add(p, 'required');
      return undefined;
    }
    if (typeof value !== 'string' || value === '') this.add(p, `expected non-empty text, got ${this.describe(value)}`);
    else if (value.length > (options.maxLength ?? 10_000)) this.add(p, `expected at most ${options.maxLength ?? 10_000} characters, got ${value.length}`);
    else return value;
    return undefined;
  }

  /** A required slug (see {@link SLUG_PATTERN}). */
  slug(m: Mapping, key: string, path: string): string | undefined {
    const value = m[key];
    if (value === undefined || value === null) this.add(at(path, key), 'required: a slug ([a-z0-9-]{1,64})');
    else if (typeof value !== 'string' || !SLUG_PATTERN.test(value)) this.add(at(path, key), `expected a slug ([a-z0-9-]{1,64}), got ${this.describe(value)}`);
    else return value;
    return undefined;
  }

  /** An optional http(s) URL. */
  url(m: Mapping, key: string, path: string): string | undefined {
    const text = this.string(m, key, path, { maxLength: 2048 });
    if (text === undefined) return undefined;
    if (URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol)) return text;
    this.add(at(path, key), `expected an http:// or https:// URL, got ${this.describe(text)}`);
    return undefined;
  }

  /** A path resolved against {@link baseDir}; with `mustExist`, it must name an existing file. */
  path(m: Mapping, key: string, path: string, options: { mustExist: boolean; required?: boolean }): string | undefined {
    const text = this.string(m, key, path, { required: options.required, maxLength: 4096 });
    if (text === undefined) return undefined;
    const absolute = resolve(this.baseDir, text);
    if (!options.mustExist) return absolute;
    const from = text === absolute ? '' : ` (from "${text}")`;
    const stat = statSync(absolute, { throwIfNoEntry: false });
    if (!stat) this.add(at(path, key), `no such file: ${absolute}${from}`);
    else if (!stat.isFile()) this.add(at(path, key), `not a file: ${absolute}${from}`);
    else return absolute;
    return undefined;
  }

  /** An integer in [min, max]; `fallback` when absent or invalid. */
  integer(m: Mapping, key: string, path: string, o: { min: number; max: number; fallback: number; hint?: string }): number {
    const value = m[key];
    if (value === undefined || value === null) return o.fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= o.min && value <= o.max) return value;
    this.add(at(path, key), `expected an integer from ${o.min} to ${o.max}${o.hint ? ` ${o.hint}` : ''}, got ${this.describe(value)}`);
    return o.fallback;
  }

  /** A finite number in [min, max] (or strictly between with `exclusive`); `fallback` when absent or invalid. */
  number(m: Mapping, key: string, path: string, o: { min: number; max: number; exclusive?: boolean; fallback: number }): number {
    const value = m[key];
    if (value === undefined || value === null) return o.fallback;
    const inside = typeof value === 'number' && (o.exclusive ? value > o.min && value < o.max : value >= o.min && value <= o.max);
    if (inside) return value;
    this.add(at(path, key), `expected a number ${o.exclusive ? 'strictly between' : 'from'} ${o.min} ${o.exclusive ? 'and' : 'to'} ${o.max}, got ${this.describe(value)}`);
    return o.fallback;
  }

  /** One of `allowed`; undefined when absent or invalid. */
  oneOf<T extends string>(m: Mapping, key: string, path: string, allowed: readonly T[], noun = 'value'): T | undefined {
    const value = m[key];
    return value === undefined || value === null ? undefined : this.choose(value, at(path, key), allowed, noun);
  }

  private choose<T extends string>(value: unknown, path: string, allowed: readonly T[], noun: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
    this.add(path, `unknown ${noun} ${this.describe(value)}${hint}; expected one of ${allowed.join(', ') || '(none configured)'}`);
    return undefined;
  }

  /** A list of distinct values from `allowed`; undefined when absent or invalid. */
  list<T extends string>(m: Mapping, key: string, path: string, allowed: readonly T[], o: { nonEmpty?: boolean; noun?: string } = {}): T[] | undefined {
    const value = m[key];
    const p = at(path, key);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || (o.nonEmpty && value.length === 0)) {
      this.add(p, `expected a ${o.nonEmpty ? 'non-empty ' : ''}list of ${allowed.join(', ')}, got ${Array.isArray(value) ? 'an empty list' : this.describe(value)}`);
      return undefined;
    }
    const before = this.issues.length;
    const items = value.map((item, i) => this.choose(item, `${p}[${i}]`, allowed, o.noun ?? 'value'));
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (item !== undefined && seen.has(item)) this.add(`${p}[${i}]`, `duplicate ${this.describe(item)}`);
      if (item !== undefined) seen.add(item);
    });
    return this.issues.length === before ? (items as T[]) : undefined;
  }
}
