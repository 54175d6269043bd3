import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinDataPath } from '../../src/data/builtin/index.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { deriveRandom } from '../../src/math/random.js';
import { loadNodeConfig, loadNodeDatasets, NodeConfigError, parseNodeConfig, type NodeConfig } from '../../src/node/config.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const examples = join(repo, 'examples');
const germanPath = builtinDataPath('german');
const germanText = readFileSync(germanPath, 'utf8');
const [header, ...rows] = germanText.trimEnd().split('\n');

// Per-lender slices as the demo writes them: rows dealt round-robin to banks a, b, c.
const dir = mkdtempSync(join(tmpdir(), 'fedcredit-node-config-'));
const slices = ['a', 'b', 'c'].map((bank, b) => {
  const mine = rows.filter((_, i) => i % 3 === b);
  writeFileSync(join(dir, `bank-${bank}.csv`), `${header}\n${mine.join('\n')}\n`);
  return { numRows: mine.length, numBad: mine.filter((r) => r.endsWith(',2')).length };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { FEDCREDIT_DATA_DIR: dir, FEDCREDIT_ENROLLMENT_TOKEN: 'enrol-123' };
const parseExample = (name: string): NodeConfig => parseNodeConfig(readFileSync(join(examples, name), 'utf8'), { file: name, baseDir: examples, env });
const parse = (text: string, e: NodeJS.ProcessEnv = {}): NodeConfig => parseNodeConfig(text, { file: 'node.yaml', baseDir: dir, env: e });
const problems = (text: string, e: NodeJS.ProcessEnv = {}): string[] => {
  try {
    parse(text, e);
  } catch (err) {
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as NodeConfigError).issues.length).toBe((err as Error).message.split('\n').length);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected the configuration to be rejected');
};

const minimal = `institution: Bank A
nodeName: bank-a
datasets:
  - key: german-credit
    file: bank-a.csv
    schema: german
`;

describe('parseNodeConfig: the examples', () => {
  it('parses bank A: paths resolved against the file, ${VAR} and ${VAR:-default} substituted', () => {
    const c = parseExample('node-bank-a.yaml');
    expect(c.institution).toBe('Bank A Sparkasse');
    expect(c.enrollmentToken).toBe('enrol-123');
    expect(c.dataDir).toBe(join(examples, '.fedcredit/bank-a'));
    expect(c.api).toEqual({ host: '127.0.0.1', port: 8049 });
    expect(c.datasets.map((d) => [d.key, d.file, d.schema])).toEqual([
      ['german-credit', join(dir, 'bank-a.csv'), 'german'],
      ['consumer-loans', builtinDataPath('credit_data'), 'credit_data'],
    ]);
    expect(c.policy).toEqual({ allowedModels: ['logreg', 'mlp'], minRowsPerUpdate: 100, maxRounds: 200, approval: 'auto', allowedDatasets: ['german-credit'] });
    expect(c.scoring).toEqual({ dataset: 'german-credit', thresholds: { review: 0.3, decline: 0.5 }, keepScored: 'api' });
  });

  it('parses bank B (manual approval, logreg only) and fills the defaults it leaves out', () => {
    const c = parseExample('node-bank-b.yaml');
    expect(c.api).toEqual({ host: '127.0.0.1', port: 8050 });
    expect(c.dataDir).toBe(join(examples, '.fedcredit', 'bank-b'));
    expect(c.datasets[0].testFraction).toBe(0.25);
    expect(c.policy).toEqual({ allowedModels: ['logreg'], minRowsPerUpdate: 150, maxRounds: 100, approval: 'manual' });
    expect(c.scoring.dataset).toBe('german-credit'); // default: the first german dataset
  });

  it('parses bank C with an inferred schema (YAML number 2 read as the CSV text "2")', () => {
    const c = parseExample('node-bank-c.yaml');
    expect(c.datasets[0].schema).toEqual({ infer: { target: 'classification', bad: '2' } });
    expect(c.policy.allowedModels).toEqual(['logreg', 'mlp']);
    expect(c.policy.approval).toBe('auto');
    expect(c.scoring.dataset).toBeUndefined(); // no german-schema dataset to default to
    expect(c.tls).toBeUndefined();
  });

  it('falls back to ./data next to the file when FEDCREDIT_DATA_DIR is unset, and says which file is missing', () => {
    const lines = (() => {
      try {
        parseNodeConfig(readFileSync(join(examples, 'node-bank-b.yaml'), 'utf8'), { file: 'node-bank-b.yaml', baseDir: examples, env: { FEDCREDIT_ENROLLMENT_TOKEN: 't' } });
        return [];
      } catch (err) {
        return (err as Error).message.split('\n');
      }
    })();
    expect(lines).toEqual([`node-bank-b.yaml: datasets[0].file: no such file: ${join(examples, 'data/bank-b.csv')} (from "./data/bank-b.csv")`]);
  });
});

describe('parseNodeConfig: defaults and substitution', () => {
  it('fills every default of a minimal file', () => {
    expect(parse(minimal)).toEqual({
      institution: 'Bank A', nodeName: 'bank-a', dataDir: join(dir, '.fedcredit', 'bank-a'), api: { host: '127.0.0.1', port: 8049 },
      datasets: [{ key: 'german-credit', file: join(dir, 'bank-a.csv'), schema: 'german', testFraction: 0.2 }],
      policy: { allowedModels: ['logreg', 'mlp'], minRowsPerUpdate: 50, maxRounds: 200, approval: 'auto' },
      scoring: { dataset: 'german-credit', thresholds: { review: 0.3, decline: 0.5 }, keepScored: 'api' },
      secagg: { keyLifetime: 'job' },
    });
    expect(parse(`${minimal}secagg: { keyLifetime: session }\n`).secagg).toEqual({ keyLifetime: 'session' });
  });

  it('substitutes like the shell: set, unset with default, empty with default, and $${ as a literal', () => {
    const text = `${minimal}coordinator: \${COORD:-http://127.0.0.1:8040}\nenrollmentToken: "$\${NOT_A_VAR}-\${TOKEN}"\napi: { host: "\${HOST:-localhost}" }\n`;
    expect(parse(text, { TOKEN: 's3cret' })).toMatchObject({ coordinator: 'http://127.0.0.1:8040', enrollmentToken: '${NOT_A_VAR}-s3cret', api: { host: 'localhost' } });
    expect(parse(text, { TOKEN: 't', COORD: 'https://coord.example.org', HOST: '' })).toMatchObject({ coordinator: 'https://coord.example.org', api: { host: 'localhost' } });
    expect(parse(`${minimal}tls: { ca: "\${CERTS}/bank-c.csv" }\n`, { CERTS: dir }).tls).toEqual({ ca: join(dir, 'bank-c.csv') });
  });
});

describe('parseNodeConfig: broken files', () => {
  const withDataset = (fields: string): string => `institution: Bank A\nnodeName: bank-a\ndatasets:\n  - key: german-credit\n    file: bank-a.csv\n    schema: german\n${fields}`;
  const cases: [string, string, NodeJS.ProcessEnv, string[]][] = [
    ['missing datasets', 'institution: Bank A\nnodeName: bank-a\n', {}, ['node.yaml: datasets: required: list at least one dataset (key, file, schema)']],
    ['empty dataset list', 'institution: Bank A\nnodeName: bank-a\ndatasets: []\n', {}, ['node.yaml: datasets: required: list at least one dataset (key, file, schema)']],
    ['datasets as a mapping', 'institution: Bank A\nnodeName: bank-a\ndatasets: { key: x }\n', {}, ['node.yaml: datasets: expected a list of datasets, got a mapping']],
    ['bad dataset key', minimal.replace('key: german-credit', 'key: Bank A'), {}, ['node.yaml: datasets[0].key: expected a slug ([a-z0-9-]{1,64}), got "Bank A"']],
    ['unknown top-level key', `${minimal}polcy: { approval: manual }\n`, {}, ['node.yaml: polcy: unknown key (did you mean "policy"?); expected one of institution, nodeName, dataDir, coordinator, enrollmentToken, api, datasets, policy, scoring, secagg, tls']],
    ['unknown nested key', withDataset('    testFracton: 0.3\n'), {}, ['node.yaml: datasets[0].testFracton: unknown key (did you mean "testFraction"?); expected one of key, file, schema, testFraction, description, privacy']],
    ['unknown key, nothing close', `${minimal}colour: blue\n`, {}, ['node.yaml: colour: unknown key; expected one of institution, nodeName, dataDir, coordinator, enrollmentToken, api, datasets, policy, scoring, secagg, tls']],
    ['port 70000', `${minimal}api: { port: 70000 }\n`, {}, ['node.yaml: api.port: expected an integer from 0 to 65535 (0 = any free port), got 70000']],
    ['port as text', `${minimal}api: { port: "8049" }\n`, {}, ['node.yaml: api.port: expected an integer from 0 to 65535 (0 = any free port), got "8049"']],
    ['testFraction 1.5', withDataset('    testFraction: 1.5\n'), {}, ['node.yaml: datasets[0].testFraction: expected a number strictly between 0 and 1, got 1.5']],
    ['testFraction NaN', withDataset('    testFraction: .nan\n'), {}, ['node.yaml: datasets[0].testFraction: expected a number strictly between 0 and 1, got NaN']],
    ['unknown schema name', minimal.replace('schema: german', 'schema: germn'), {}, ['node.yaml: datasets[0].schema: unknown schema "germn" (did you mean "german"?); expected german, credit_data or { infer: { target, bad, id? } }']],
    ['infer without bad, id = target', minimal.replace('schema: german', 'schema: { infer: { target: classification, id: classification } }'), {}, [
      'node.yaml: datasets[0].schema.infer.bad: required',
      'node.yaml: datasets[0].schema.infer.id: must differ from target "classification"',
    ]],
    ['missing file', minimal.replace('bank-a.csv', 'missing.csv'), {}, [`node.yaml: datasets[0].file: no such file: ${join(dir, 'missing.csv')} (from "missing.csv")`]],
    ['file is a folder', minimal.replace('bank-a.csv', '.'), {}, [`node.yaml: datasets[0].file: not a file: ${dir} (from ".")`]],
    ['unset environment variable', `${minimal}enrollmentToken: \${BANK_A_TOKEN}\n`, {}, ['node.yaml: enrollmentToken: environment variable BANK_A_TOKEN is not set (referenced as ${BANK_A_TOKEN})']],
    ['malformed reference', `${minimal}enrollmentToken: "\${BANK A}"\n`, {}, ['node.yaml: enrollmentToken: malformed ${…}: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)']],
    ['duplicate dataset key', `${minimal}  - key: german-credit\n    file: bank-b.csv\n    schema: german\n`, {}, ['node.yaml: datasets[1].key: duplicate of datasets[0].key "german-credit"']],
    ['models: empty, unknown, duplicate', `${minimal}policy: { allowedModels: [] }\n`, {}, ['node.yaml: policy.allowedModels: expected a non-empty list of logreg, mlp, got an empty list']],
    ['models: unknown and duplicate', `${minimal}policy: { allowedModels: [gbdt, mlp, mlp] }\n`, {}, [
      'node.yaml: policy.allowedModels[0]: unknown model kind "gbdt"; expected one of logreg, mlp',
      'node.yaml: policy.allowedModels[2]: duplicate "mlp"',
    ]],
    ['approval and rounds', `${minimal}policy: { approval: sometimes, maxRounds: 0, minRowsPerUpdate: 2.5 }\n`, {}, [
      'node.yaml: policy.minRowsPerUpdate: expected an integer from 1 to 1000000000, got 2.5',
      'node.yaml: policy.maxRounds: expected an integer from 1 to 1000000, got 0',
      'node.yaml: policy.approval: unknown value "sometimes"; expected one of auto, manual',
    ]],
    ['allowedDatasets naming an unregistered key', `${minimal}policy: { allowedDatasets: [german-credits] }\n`, {}, ['node.yaml: policy.allowedDatasets[0]: unknown dataset key "german-credits" (did you mean "german-credit"?); expected one of german-credit']],
    ['scoring', `${minimal}scoring: { dataset: other, thresholds: { review: 0.7, decline: 0.4 }, keepScored: sometimes }\n`, {}, [
      'node.yaml: scoring.keepScored: expected one of api, all, none (or true / false), got "sometimes"',
      'node.yaml: scoring.thresholds: review (0.7) must not exceed decline (0.4): scores between them go to review',
      'node.yaml: scoring.dataset: unknown dataset key "other"; expected one of german-credit',
    ]],
    ['secure-aggregation key lifetime', `${minimal}secagg: { keyLifetime: round, rotate: true }\n`, {}, [
      'node.yaml: secagg.rotate: unknown key; expected one of keyLifetime',
      'node.yaml: secagg.keyLifetime: unknown value "round"; expected one of job, session',
    ]],
    ['coordinator not http', `${minimal}coordinator: ftp://coordinator\n`, {}, ['node.yaml: coordinator: expected an http:// or https:// URL, got "ftp://coordinator"']],
    ['missing CA file', `${minimal}tls: { ca: ca.pem }\n`, {}, [`node.yaml: tls.ca: no such file: ${join(dir, 'ca.pem')} (from "ca.pem")`]],
    ['duplicate YAML key', `${minimal}nodeName: bank-b\n`, {}, ['node.yaml: line 7, column 1: Map keys must be unique']],
    ['YAML syntax error', 'institution: [Bank A\n', {}, ['node.yaml: line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['a list at the top', '- institution: Bank A\n', {}, [
      'node.yaml: (top level): expected a mapping (key: value lines) for the document, got a list',
      'node.yaml: institution: required', 'node.yaml: nodeName: required: a slug ([a-z0-9-]{1,64})', 'node.yaml: datasets: required: list at least one dataset (key, file, schema)',
    ]],
    ['__proto__ key', `${minimal}__proto__: { polluted: true }\n`, {}, ['node.yaml: __proto__: unknown key; expected one of institution, nodeName, dataDir, coordinator, enrollmentToken, api, datasets, policy, scoring, secagg, tls']],
  ];
  it.each(cases)('%s', (_name, text, e, expected) => {
    expect(problems(text, e)).toEqual(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lists every problem at once, each with its path', () => {
    const text = `institution: Bank A
nodeName: Bank A
enrollmentToken: \${MISSING_TOKEN}
api: { port: 70000 }
datasets:
  - key: german-credit
    file: nowhere.csv
    schema: germn
    testFraction: 1.5
policy: { alowedModels: [mlp] }
`;
    expect(problems(text)).toEqual([
      'node.yaml: enrollmentToken: environment variable MISSING_TOKEN is not set (referenced as ${MISSING_TOKEN})',
      'node.yaml: nodeName: expected a slug ([a-z0-9-]{1,64}), got "Bank A"',
      'node.yaml: datasets[0].testFraction: expected a number strictly between 0 and 1, got 1.5',
      `node.yaml: datasets[0].file: no such file: ${join(dir, 'nowhere.csv')} (from "nowhere.csv")`,
      'node.yaml: datasets[0].schema: unknown schema "germn" (did you mean "german"?); expected german, credit_data or { infer: { target, bad, id? } }',
      'node.yaml: api.port: expected an integer from 0 to 65535 (0 = any free port), got 70000',
      'node.yaml: policy.alowedModels: unknown key (did you mean "allowedModels"?); expected one of allowedModels, minRowsPerUpdate, maxRounds, approval, allowedDatasets',
    ]);
  });

  it('checks its own arguments', () => {
    expect(() => parseNodeConfig(42 as unknown as string, { file: 'x', baseDir: dir })).toThrow(TypeError);
    expect(() => parseNodeConfig(minimal, { file: '', baseDir: dir })).toThrow(/options.file/);
    expect(() => parseNodeConfig(minimal, { file: 'x', baseDir: '' })).toThrow(/options.baseDir/);
  });
});

describe('loadNodeConfig', () => {
  it('resolves relative paths against the file and names an unreadable file', () => {
    const path = join(dir, 'node.yaml');
    writeFileSync(path, minimal);
    expect(loadNodeConfig(path).datasets[0].file).toBe(join(dir, 'bank-a.csv'));
    const missing = join(dir, 'absent.yaml');
    expect(() => loadNodeConfig(missing)).toThrow(expect.objectContaining({ code: 'CONFIG_FILE', message: expect.stringContaining(missing) }));
  });
});

describe('loadNodeDatasets', () => {
  const full = (testFraction = 0.2): NodeConfig => parse(minimal.replace('file: bank-a.csv', `file: ${germanPath}`).replace('schema: german', `schema: german\n    testFraction: ${testFraction}`));

  it('splits German Credit stratified: 300 bad / 700 good → test 60 + 140, train 240 + 560', () => {
    const { train, test } = loadNodeDatasets(full(), 7).get('german-credit')!;
    const bad = (labels: Uint8Array) => labels.reduce((s, y) => s + y, 0);
    expect([train.numRows, bad(train.label), test.numRows, bad(test.label)]).toEqual([800, 240, 200, 60]);
  });

  it('holds out the rows of stratifiedSplit(deriveRandom(seed, "holdout", key)): same seed same rows, other seed other rows', () => {
    const a = loadNodeDatasets(full(), 'job-seed').get('german-credit')!;
    const again = loadNodeDatasets(full(), 'job-seed').get('german-credit')!;
    const other = loadNodeDatasets(full(), 'other-seed').get('german-credit')!;
    expect(a.test.numeric.creditamount).toEqual(again.test.numeric.creditamount);
    expect(a.test.numeric.creditamount).not.toEqual(other.test.numeric.creditamount);
    const labels = new Uint8Array(rows.map((r) => (r.endsWith(',2') ? 1 : 0)));
    const expected = stratifiedSplit(labels, 0.2, deriveRandom('job-seed', 'holdout', 'german-credit'));
    const amounts = rows.map((r) => Number(r.split(',')[4]));
    expect(Array.from(a.test.numeric.creditamount)).toEqual(Array.from(expected.test, (i) => amounts[i]));
  });

  it('infers the schema of a dataset that asks for it (bank C example)', () => {
    const datasets = loadNodeDatasets(parseExample('node-bank-c.yaml'), 1);
    const { train, test } = datasets.get('german-credit')!;
    const { numRows, numBad } = slices[2];
    expect(train.numRows + test.numRows).toBe(numRows);
    expect(test.numRows).toBe(Math.round(numBad * 0.2) + Math.round((numRows - numBad) * 0.2));
    expect(train.schema.name).toBe('german-credit');
    expect(train.schema.target).toMatchObject({ name: 'classification', bad: '2' });
  });

  it('throws DataError naming the dataset and the file', () => {
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, `${header}\n${rows[0].replace(/^A11/, 'A99')}\n`);
    const config = parse(minimal.replace('bank-a.csv', 'broken.csv'));
    expect(() => loadNodeDatasets(config, 1)).toThrow(DataError);
    expect(() => loadNodeDatasets(config, 1)).toThrow(new RegExp(`^dataset "german-credit": ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    rmSync(broken);
    expect(() => loadNodeDatasets(config, 1)).toThrow(expect.objectContaining({ code: 'DATA_FILE', file: broken }));
  });

  it('checks its arguments', () => {
    expect(() => loadNodeDatasets(full(), NaN)).toThrow(/seed/);
    expect(() => loadNodeDatasets(null as unknown as NodeConfig, 1)).toThrow(/config/);
  });
});

describe('scoring.keepScored', () => {
  it('defaults to the machine API only; true/false are all/none', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join: joinPath } = await import('node:path');
    const { loadNodeConfig } = await import('../../src/node/config.js');
    const { builtinDataPath } = await import('../../src/data/builtin/index.js');
    const d = mkdtempSync(joinPath(tmpdir(), 'fedcredit-keep-'));
    const base = `institution: Bank A\nnodeName: bank-a\ndatasets:\n  - { key: german-credit, file: ${builtinDataPath('german')}, schema: german }\n`;
    const keep = (line: string) => {
      writeFileSync(joinPath(d, 'node.yaml'), base + line);
      return loadNodeConfig(joinPath(d, 'node.yaml')).scoring.keepScored;
    };
    expect(keep('')).toBe('api');
    expect(keep('scoring: { keepScored: true }\n')).toBe('all');
    expect(keep('scoring: { keepScored: false }\n')).toBe('none');
    expect(keep('scoring: { keepScored: all }\n')).toBe('all');
    expect(keep('scoring: { keepScored: none }\n')).toBe('none');
  });
});
