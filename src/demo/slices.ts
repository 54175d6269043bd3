/**
 * The demo's lenders: German credit split by age band into one CSV per lender (so the lenders
 * really differ), plus each lender's node configuration.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinDataPath, getBuiltinSchema } from '../data/builtin/index.js';
import { loadCsv } from '../data/csv.js';
import { partitionByAttribute, type AttributeBand } from '../data/partitionAttr.js';
import { deriveRandom } from '../math/random.js';

export interface DemoLender {
  readonly name: string;
  readonly institution: string;
  readonly file: string;
  readonly config: string;
  readonly port: number;
  readonly rows: number;
  readonly band: string;
}

const INSTITUTIONS = ['Bank A Sparkasse', 'Credit Union B', 'Fintech C', 'Bank D', 'Bank E'];

/** Write one CSV slice and one node config per lender under `dir`. */
export function writeLenders(dir: string, options: { numLenders: number; basePort: number; coordinator: string; ports?: readonly number[] }): DemoLender[] {
  mkdirSync(dir, { recursive: true });
  const schema = getBuiltinSchema('german');
  const path = builtinDataPath('german');
  const table = loadCsv(path, schema);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0];
  const { parts, bands } = partitionByAttribute(table, 'age', options.numLenders, deriveRandom(42, 'demo', 'lenders'));
  return parts.map((rows, i) => {
    const name = `bank-${String.fromCharCode(97 + i)}`;
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, `${[header, ...Array.from(rows, (r) => lines[r + 1])].join('\n')}\n`);
    const port = options.ports?.[i] ?? options.basePort + i;
    const band = describeBand(bands[i]);
    const config = join(dir, `${name}.yaml`);
    writeFileSync(config, [
      `# Demo lender ${name}: German-credit applicants aged ${band}`,
      `institution: ${INSTITUTIONS[i] ?? `Lender ${i + 1}`}`,
      `nodeName: ${name}`,
      `dataDir: ./state/${name}`,
      `coordinator: ${options.coordinator}`,
      'api:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      'datasets:',
      '  - key: german-credit',
      `    file: ./${name}.csv`,
      '    schema: german',
      '    testFraction: 0.2',
      'policy:',
      '  allowedModels: [logreg, mlp]',
      '  minRowsPerUpdate: 50',
      '  maxRounds: 200',
      '  approval: auto',
      'scoring:',
      '  dataset: german-credit',
      '',
    ].join('\n'));
    return { name, institution: INSTITUTIONS[i] ?? `Lender ${i + 1}`, file, config, port, rows: rows.length, band };
  });
}

function describeBand(band: AttributeBand): string {
  if (band.min !== undefined && band.max !== undefined) return `${band.min}–${band.max}`;
  return band.categories?.join(', ') ?? 'one age band';
}
