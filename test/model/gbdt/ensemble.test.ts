import { describe, expect, it } from 'vitest';
import { ensembleScoringModel, rawFromTreeEncoding, treeEncoderSpec } from '../../../src/model/gbdt/adapter.js';
import { TreeEnsemble } from '../../../src/model/gbdt/ensemble.js';
import { rawMatrix } from '../../../src/model/gbdt/features.js';
import { trainGbdtOnTable } from '../../../src/model/gbdt/local.js';
import { gbdtParams } from '../../../src/model/gbdt/params.js';
import { encodeTable, parseEncoderSpec } from '../../../src/preprocess/encoder.js';
import { syntheticTable } from './synthetic.js';

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const model = trainGbdtOnTable(syntheticTable(600, 21), gbdtParams({ numTrees: 25, maxDepth: 4, learningRate: 0.2 }));
const table = syntheticTable(300, 21, 'other');

describe('tree ensemble', () => {
  it('serializes to versioned JSON and back with bit-identical predictions', () => {
    const text = model.serialize();
    const json = JSON.parse(text);
    expect(json.format).toBe('fedcredit-gbdt');
    expect(json.version).toBe(1);
    const back = TreeEnsemble.deserialize(text);
    expect(back.serialize()).toBe(text);
    expect(bits(back.predictTable(table)).equals(bits(model.predictTable(table)))).toBe(true);
    expect(back.params).toEqual(model.params);
  });

  it('truncate gives the model as it was after n trees', () => {
    const raw = rawMatrix(model.features, table);
    expect(model.truncate(0).predictMargin(raw).every((m) => m === model.baseMargin)).toBe(true);
    const five = model.truncate(5);
    expect(five.numTrees).toBe(5);
    expect(five.trees).toEqual(model.trees.slice(0, 5));
    expect(() => model.truncate(26)).toThrow(RangeError);
  });

  it('rejects hostile JSON, naming what is wrong', () => {
    const good = JSON.parse(model.serialize());
    const tree = (nodes: unknown[]) => ({ ...good, trees: [{ nodes }] });
    const leaf = { kind: 'leaf', value: 0.1, count: 3 };
    const split = { kind: 'numeric', feature: 0, threshold: 5, missingLeft: false, left: 1, right: 2, gain: 1, count: 6 };
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON/],
      [{ ...good, format: 'other' }, /format/],
      [{ ...good, version: 2 }, /format/],
      [{ ...good, baseMargin: 'x' }, /baseMargin/],
      [{ ...good, trees: {} }, /trees/],
      [{ ...good, trees: Array(501).fill({ nodes: [leaf] }) }, /500/],
      [{ ...good, features: [] }, /features/],
      [tree([]), /nodes/],
      [tree([{ ...split, left: 0 }, leaf, leaf]), /left/],
      [tree([{ ...split, right: 1 }, leaf, leaf]), /right/],
      [tree([{ ...split, right: 3 }, leaf, leaf]), /right/],
      [tree([split, leaf, leaf, leaf]), /not reached/],
      [tree([{ ...split, feature: 99 }, leaf, leaf]), /feature/],
      [tree([{ ...split, feature: 2 }, leaf, leaf]), /numeric split on categorical/],
      [tree([{ ...split, threshold: null }, leaf, leaf]), /threshold/],
      [tree([{ ...split, kind: 'categorical', feature: 2, leftCategories: [0, 7] }, leaf, leaf]), /leftCategories/],
      [tree([{ ...split, kind: 'categorical', feature: 2, leftCategories: [2, 1] }, leaf, leaf]), /leftCategories/],
      [tree([split, { ...leaf, value: Infinity }, leaf]), /value/],
      [tree([split, { ...leaf, count: -1 }, leaf]), /count/],
      [tree([{ ...split, missingLeft: 1 }, leaf, leaf]), /missingLeft/],
      [tree([{ kind: 'stump', count: 1 }]), /kind/],
      // a chain of 7 splits (depth 7): split 2d has a leaf at 2d + 1 and the next split at 2d + 2
      [tree([...Array.from({ length: 7 }, (_, d) => [{ ...split, left: 2 * d + 1, right: 2 * d + 2 }, leaf]).flat(), leaf]), /deeper than 6/],
    ];
    for (const [value, message] of cases) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(() => TreeEnsemble.deserialize(text), text.slice(0, 80)).toThrow(message);
    }
  });

  it('the adapter scores encoded matrices exactly like the ensemble scores raw rows', () => {
    const encoder = treeEncoderSpec(model.features);
    expect(parseEncoderSpec(JSON.parse(JSON.stringify(encoder)))).toEqual(encoder);
    const x = encodeTable(encoder, table);
    expect(bits(rawFromTreeEncoding(model.features, x).data).equals(bits(rawMatrix(model.features, table).data))).toBe(true);
    expect(bits(ensembleScoringModel(model).predictProba(x)).equals(bits(model.predictTable(table)))).toBe(true);
    expect(() => ensembleScoringModel(model).predictProba({ data: new Float64Array(4), rows: 1, cols: 4 })).toThrow(/columns/);
  });
});
