import { describe, expect, it } from 'vitest';
import { loadBuiltin } from '../../src/data/builtin/index.js';
import { featureColumns, type Table } from '../../src/data/schema.js';
import { fitBinning, formatCut, rangeLabel, simplestNumberBetween, type Binning } from '../../src/scorecard/binning.js';
import { assignBins, parseBinning, woeMatrix } from '../../src/scorecard/encode.js';
import { checkGridCoarsening, localWoeCounts, woeCountsLayout } from '../../src/scorecard/fineCounts.js';
import { woeTerm } from '../../src/scorecard/woe.js';

const german = loadBuiltin('german');
const creditData = loadBuiltin('credit_data');

function pooledBinning(table: Table, gridCoarsening = 1): Binning {
  const layout = woeCountsLayout(featureColumns(table.schema), gridCoarsening);
  return fitBinning(localWoeCounts(table, layout), layout);
}

describe.each([['german', german], ['credit_data', creditData]] as const)('binning of %s (pooled)', (_name, table) => {
  const binning = pooledBinning(table);
  const numBad = table.label.reduce((s, v) => s + v, 0);

  it('counts every applicant once per variable', () => {
    expect(binning.numBad).toBe(numBad);
    expect(binning.numGood).toBe(table.numRows - numBad);
    for (const v of binning.variables) expect(v.bins.reduce((s, b) => s + b.numGood + b.numBad, 0)).toBe(table.numRows);
  });

  it('has a strictly monotone bad rate along numeric and ordinal bins, at most 6 bins of ≥ 5 % each', () => {
    for (const v of binning.variables) {
      const ordered = v.bins.filter((b) => b.kind !== 'missing');
      expect(ordered.length).toBeLessThanOrEqual(6);
      for (const b of ordered) if (ordered.length > 1) expect(b.numGood + b.numBad).toBeGreaterThanOrEqual(0.05 * table.numRows);
      if (v.kind === 'categorical') continue;
      const rates = ordered.map((b) => b.numBad / (b.numGood + b.numBad));
      for (let k = 1; k < rates.length; k++) {
        if (v.trend === 'increasing') expect(rates[k]).toBeGreaterThan(rates[k - 1]);
        else if (v.trend === 'decreasing') expect(rates[k]).toBeLessThan(rates[k - 1]);
        else throw new Error(`${v.column}: trend ${v.trend} with ${rates.length} bins`);
      }
    }
  });

  it('stores WOE and IV terms that follow from the bin counts, and selects by IV ≥ 0.02', () => {
    for (const v of binning.variables) {
      for (const b of v.bins) {
        const t = woeTerm(b.numGood, b.numBad, binning.numGood, binning.numBad);
        expect(b.woe).toBe(t.woe);
        expect(b.iv).toBe(t.iv);
      }
      expect(v.iv).toBeCloseTo(v.bins.reduce((s, b) => s + b.iv, 0), 12);
      expect(v.selected).toBe(v.iv >= 0.02);
    }
  });

  it('assigns every row by value to the bin whose counts came from its fine bin (cuts sit between occupied fine bins)', () => {
    for (const v of binning.variables) {
      const bins = assignBins(v, table);
      const good = new Float64Array(v.bins.length);
      const bad = new Float64Array(v.bins.length);
      for (let i = 0; i < bins.length; i++) {
        expect(bins[i]).toBeGreaterThanOrEqual(0);
        (table.label[i] === 1 ? bad : good)[bins[i]]++;
      }
      v.bins.forEach((b, k) => expect([v.column, good[k], bad[k]]).toEqual([v.column, b.numGood, b.numBad]));
    }
  });

  it('encodes the selected variables as WOE columns and survives a JSON round trip', () => {
    const x = woeMatrix(binning, table);
    const selected = binning.variables.filter((v) => v.selected);
    expect(x.cols).toBe(selected.length);
    expect(x.rows).toBe(table.numRows);
    const bins = assignBins(selected[0], table);
    for (let i = 0; i < 20; i++) expect(x.data[i * x.cols]).toBe(selected[0].bins[bins[i]].woe);
    expect(parseBinning(JSON.parse(JSON.stringify(binning)))).toEqual(binning);
  });
});

describe('binning details', () => {
  const binning = pooledBinning(german);
  const byName = (name: string) => binning.variables.find((v) => v.column === name)!;

  it('puts German durations at round cut points and labels bins in the codebook words', () => {
    const duration = byName('duration');
    expect(duration.kind).toBe('numeric');
    for (const b of duration.bins) {
      for (const edge of [b.lower, b.upper]) if (edge !== null && edge !== undefined) expect(String(edge).replace('.', '').length).toBeLessThanOrEqual(3);
    }
    expect(duration.bins[0].label).toMatch(/^< /);
    expect(duration.bins[0].words).toMatch(/^Duration of the credit: < .* months$/);
    const checking = byName('existingchecking');
    const a11 = checking.bins.find((b) => b.categories?.includes('A11'))!;
    expect(a11.words).toContain('checking account < 0 DM');
    expect(checking.trend).toBe('nominal');
    expect(byName('employmentsince').kind).toBe('ordinal');
  });

  it('orders nominal categories by bad rate and keeps a separate missing bin (credit_data)', () => {
    const cd = pooledBinning(creditData);
    const income = cd.variables.find((v) => v.column === 'Income')!;
    const missing = income.bins.filter((b) => b.kind === 'missing');
    expect(missing).toHaveLength(1);
    expect(missing[0].numGood + missing[0].numBad).toBe(Array.from(creditData.numeric.Income).filter(Number.isNaN).length);
    const home = cd.variables.find((v) => v.column === 'Home')!;
    const rates = home.bins.filter((b) => b.kind === 'categories').map((b) => b.numBad / (b.numGood + b.numBad));
    for (let k = 1; k < rates.length; k++) expect(rates[k]).toBeGreaterThan(rates[k - 1]);
  });

  it('respects maxBins, minBinShare and minIv', () => {
    const layout = woeCountsLayout(featureColumns(german.schema));
    const counts = localWoeCounts(german, layout);
    const two = fitBinning(counts, layout, { maxBins: 2, minIv: 0.1 });
    for (const v of two.variables) {
      expect(v.bins.filter((b) => b.kind !== 'missing').length).toBeLessThanOrEqual(2);
      expect(v.selected).toBe(v.iv >= 0.1);
    }
    const big = fitBinning(counts, layout, { minBinShare: 0.3 });
    for (const v of big.variables) for (const b of v.bins) if (v.bins.length > 1) expect(b.numGood + b.numBad).toBeGreaterThanOrEqual(300);
  });

  it('gives the same bins with a coarser grid when the data leave gaps (integer classes 1–4)', () => {
    const coarse = pooledBinning(german, 4);
    expect(coarse.variables.find((v) => v.column === 'installmentrate')!.bins.map((b) => [b.numGood, b.numBad]))
      .toEqual(byName('installmentrate').bins.map((b) => [b.numGood, b.numBad]));
  });

  it('picks the number with the fewest significant digits, nearest the middle', () => {
    expect(simplestNumberBetween(11.26, 11.98)).toBe(11.6);
    expect(simplestNumberBetween(11.3, 12.4)).toBe(12);
    expect(simplestNumberBetween(9.5, 10.5)).toBe(10);
    expect(simplestNumberBetween(-3.2, 1)).toBe(0);
    expect(simplestNumberBetween(-12.4, -11.3)).toBe(-12);
    expect(simplestNumberBetween(715.139, 715.139)).toBe(715.139);
    expect(simplestNumberBetween(1234.5, 1234.9)).toBe(1234.7);
    expect(simplestNumberBetween(0.00123, 0.00129)).toBe(0.00126);
  });

  it('labels ranges for people', () => {
    expect(rangeLabel(null, 12)).toBe('< 12');
    expect(rangeLabel(12, 24)).toBe('12 to < 24');
    expect(rangeLabel(24, null)).toBe('≥ 24');
    expect(rangeLabel(null, null)).toBe('any value');
    expect(formatCut(715.1390423)).toBe('715.139');
    expect(formatCut(6.5)).toBe('6.5');
  });
});

describe('binning rejects hostile input', () => {
  const layout = woeCountsLayout(featureColumns(german.schema));
  const counts = localWoeCounts(german, layout);
  const withValue = (i: number, v: number) => { const c = counts.slice(); c[i] = v; return c; };

  it.each([
    ['a plain array', () => fitBinning([1, 2] as unknown as Float64Array, layout), TypeError],
    ['a short vector', () => fitBinning(counts.subarray(1), layout), /length/],
    ['NaN', () => fitBinning(withValue(3, NaN), layout), /summedCounts\[3\]/],
    ['a negative count', () => fitBinning(withValue(5, -1), layout), /summedCounts\[5\]/],
    ['Infinity', () => fitBinning(withValue(0, Infinity), layout), /summedCounts\[0\]/],
    ['columns that disagree on the totals', () => fitBinning(withValue(layout.slots[1].offset, counts[layout.slots[1].offset] + 7), layout), /column "duration"/],
    ['one class only', () => fitBinning(new Float64Array(layout.length).map((_, i) => (i % 2 === 0 && i < 2 ? 5 : 0)), layout), /good and bad/],
    ['maxBins 0', () => fitBinning(counts, layout, { maxBins: 0 }), /options.maxBins/],
    ['maxBins 2.5', () => fitBinning(counts, layout, { maxBins: 2.5 }), /options.maxBins/],
    ['minBinShare 0.9', () => fitBinning(counts, layout, { minBinShare: 0.9 }), /options.minBinShare/],
    ['prebins below maxBins', () => fitBinning(counts, layout, { prebins: 3 }), /options.prebins/],
    ['minIv NaN', () => fitBinning(counts, layout, { minIv: NaN }), /options.minIv/],
    ['an unknown option', () => fitBinning(counts, layout, { maxbins: 3 } as never), /options.maxbins: unknown option/],
    ['grid coarsening 3', () => checkGridCoarsening(3), /gridCoarsening/],
    ['no columns', () => woeCountsLayout([]), /columns/],
    ['a duplicated column', () => woeCountsLayout([german.schema.columns[0], german.schema.columns[0]]), /twice/],
    ['a categorical column without categories', () => woeCountsLayout([{ name: 'x', kind: 'categorical' }]), /declares no categories/],
  ])('%s', (_name, call, expected) => {
    expect(call).toThrow(expected as RegExp);
  });

  const good = pooledBinning(german);
  const mutate = (f: (b: Record<string, any>) => void) => { const b = JSON.parse(JSON.stringify(good)); f(b); return b; }; // eslint-disable-line @typescript-eslint/no-explicit-any
  it.each([
    ['null', null, /binning/],
    ['a wrong format', mutate((b) => { b.format = 'x'; }), /binning/],
    ['no variables', mutate((b) => { b.variables = []; }), /variables/],
    ['a string count', mutate((b) => { b.variables[0].bins[0].numGood = '3'; }), /bins\[0\]/],
    ['a NaN WOE (null in JSON)', mutate((b) => { b.variables[0].bins[0].woe = null; }), /woe/],
    ['an unknown bin kind', mutate((b) => { b.variables[0].bins[0].kind = 'magic'; }), /unknown kind/],
    ['a range in a categorical variable', mutate((b) => { b.variables[0].bins[0] = { ...b.variables[1].bins[0] }; }), /range bin/],
    ['ranges with a gap', mutate((b) => { b.variables[1].bins[1].lower += 0.25; }), /ascending/],
    ['an inverted range', mutate((b) => { b.variables[1].bins[1].upper = -5; }), /lower must be below upper|ascending/],
    ['a category in two bins', mutate((b) => { b.variables[0].bins[1].categories = [...b.variables[0].bins[0].categories]; }), /two bins/],
    ['a duplicated column', mutate((b) => { b.variables[1] = b.variables[0]; }), /appears twice/],
    ['two missing bins', mutate((b) => { b.variables[0].bins.push({ kind: 'missing', numGood: 0, numBad: 0, woe: 0, iv: 0, label: 'm', words: 'm' }, { kind: 'missing', numGood: 0, numBad: 0, woe: 0, iv: 0, label: 'm', words: 'm' }); }), /one missing/],
    ['a non-boolean selected', mutate((b) => { b.variables[0].selected = 'yes'; }), /selected/],
  ])('parseBinning rejects %s', (_name, value, expected) => {
    expect(() => parseBinning(value)).toThrow(expected);
  });
});
