import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/schema.js';
import { scorecardPmml } from '../../src/scorecard/pmml.js';
import { buildScorecard, scoreTable } from '../../src/scorecard/points.js';
import { reasonCodes } from '../../src/scorecard/reasons.js';
import { germanScorecard, tinyBinning, tinyTable } from './fixture.js';
import { child, childrenNamed, parseXml, type XmlElement } from './xml.js';

type Value = string | number | null;
type Truth = boolean | 'unknown';

/** PMML 4.4 predicate semantics (§"Predicates"): comparisons with a missing value are UNKNOWN. */
function evaluate(p: XmlElement, record: Record<string, Value>): Truth {
  switch (p.name) {
    case 'True': return true;
    case 'SimplePredicate': {
      const v = record[p.attributes.field];
      const op = p.attributes.operator;
      if (op === 'isMissing') return v === null;
      if (v === null) return 'unknown';
      if (op === 'equal') return String(v) === p.attributes.value;
      if (op === 'lessThan') return Number(v) < Number(p.attributes.value);
      if (op === 'greaterOrEqual') return Number(v) >= Number(p.attributes.value);
      throw new Error(`operator ${op}`);
    }
    case 'SimpleSetPredicate': {
      const v = record[p.attributes.field];
      if (v === null) return 'unknown';
      const array = child(p, 'Array');
      const values = [...array.text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
      expect(values).toHaveLength(Number(array.attributes.n));
      return values.includes(String(v));
    }
    case 'CompoundPredicate': {
      expect(p.attributes.booleanOperator).toBe('and');
      const parts = p.children.map((c) => evaluate(c, record));
      return parts.every((x) => x === true) ? true : parts.some((x) => x === false) ? false : 'unknown';
    }
    default: throw new Error(`predicate ${p.name}`);
  }
}

/** Apply expressions of the probability output (+, −, /, exp, constants, field refs). */
function apply(e: XmlElement, fields: Record<string, number>): number {
  if (e.name === 'Constant') return Number(e.text);
  if (e.name === 'FieldRef') return fields[e.attributes.field];
  const args = e.children.map((c) => apply(c, fields));
  switch (e.attributes.function) {
    case '+': return args[0] + args[1];
    case '-': return args[0] - args[1];
    case '/': return args[0] / args[1];
    case 'exp': return Math.exp(args[0]);
    default: throw new Error(`function ${e.attributes.function}`);
  }
}

function recordOf(table: Table, i: number): Record<string, Value> {
  const r: Record<string, Value> = {};
  for (const [name, col] of Object.entries(table.numeric)) r[name] = Number.isNaN(col[i]) ? null : col[i];
  for (const [name, col] of Object.entries(table.categorical)) r[name] = col[i];
  return r;
}

/** Score one record the way a PMML engine does: first true attribute per characteristic. */
function pmmlScore(scorecard: XmlElement, record: Record<string, Value>) {
  const characteristics = childrenNamed(child(scorecard, 'Characteristics'), 'Characteristic');
  let score = Number(scorecard.attributes.initialScore);
  const below: { name: string; diff: number; code: string }[] = [];
  for (const c of characteristics) {
    const hit = childrenNamed(c, 'Attribute').find((a) => evaluate(a.children[0], record) === true);
    if (!hit) throw new Error(`no attribute of ${c.attributes.name} matched`);
    const partial = Number(hit.attributes.partialScore);
    score += partial;
    below.push({ name: c.attributes.name, diff: Number(c.attributes.baselineScore) - partial, code: hit.attributes.reasonCode });
  }
  // pointsBelow: rank by baselineScore − partialScore, largest first (stable for ties)
  const reasons = below.map((b, k) => ({ ...b, k })).sort((a, b) => b.diff - a.diff || a.k - b.k);
  return { score, reasons };
}

describe('the test XML parser', () => {
  it('accepts well-formed documents and decodes entities', () => {
    const doc = parseXml('<?xml version="1.0"?>\n<a x="1 &lt; 2 &amp; &quot;q&quot;"><!-- c --><b/>t&#233;xt<c y=\'2\'></c></a>');
    expect(doc.attributes.x).toBe('1 < 2 & "q"');
    expect(doc.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(doc.text).toBe('téxt');
  });
  it.each(['<a><b></a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a>1 < 2</a>', '<a>AT&T</a>', '<a/><b/>', '<a>', '<a x="&nbsp;"/>'])('rejects %s', (doc) => {
    expect(() => parseXml(doc)).toThrow(SyntaxError);
  });
});

describe('PMML 4.4 scorecard export', () => {
  const { table, card } = germanScorecard();
  const pmml = scorecardPmml(card, { modelName: 'german-test' });
  const root = parseXml(pmml);
  const scorecard = child(root, 'Scorecard');

  it('is a well-formed PMML 4.4 document with the Scorecard settings of the issue', () => {
    expect(root.name).toBe('PMML');
    expect(root.attributes).toMatchObject({ xmlns: 'http://www.dmg.org/PMML-4_4', version: '4.4' });
    expect(scorecard.attributes).toMatchObject({
      modelName: 'german-test', functionName: 'regression', useReasonCodes: 'true', reasonCodeAlgorithm: 'pointsBelow', baselineMethod: 'max', initialScore: '0',
    });
    const dictionary = child(root, 'DataDictionary');
    const fields = childrenNamed(dictionary, 'DataField');
    expect(Number(dictionary.attributes.numberOfFields)).toBe(fields.length);
    expect(fields.map((f) => f.attributes.name)).toEqual([...card.characteristics.map((c) => c.column), 'score']);
    const mining = childrenNamed(child(scorecard, 'MiningSchema'), 'MiningField');
    expect(mining.filter((m) => m.attributes.usageType === 'active')).toHaveLength(card.characteristics.length);
    expect(mining.filter((m) => m.attributes.usageType === 'target').map((m) => m.attributes.name)).toEqual(['score']);
    const outputs = childrenNamed(child(scorecard, 'Output'), 'OutputField');
    expect(outputs.map((o) => o.attributes.feature)).toEqual(['predictedValue', 'transformedValue', 'reasonCode', 'reasonCode', 'reasonCode', 'reasonCode']);
    expect(outputs.filter((o) => o.attributes.feature === 'reasonCode').map((o) => o.attributes.rank)).toEqual(['1', '2', '3', '4']);
  });

  it('has one Characteristic per variable, every Attribute with a reason code and one predicate, baseline = max bin points', () => {
    const characteristics = childrenNamed(child(scorecard, 'Characteristics'), 'Characteristic');
    expect(characteristics).toHaveLength(card.characteristics.length);
    characteristics.forEach((c, j) => {
      const attributes = childrenNamed(c, 'Attribute');
      expect(attributes).toHaveLength(card.characteristics[j].attributes.length);
      for (const a of attributes) {
        expect(a.attributes.reasonCode.length).toBeGreaterThan(0);
        expect(Number.isFinite(Number(a.attributes.partialScore))).toBe(true);
        expect(a.children).toHaveLength(1);
        expect(['SimplePredicate', 'SimpleSetPredicate', 'CompoundPredicate', 'True']).toContain(a.children[0].name);
      }
      expect(attributes[attributes.length - 1].children[0].name).toBe('True'); // catch-all "other"
      expect(Number(c.attributes.baselineScore)).toBe(card.characteristics[j].maxPoints);
    });
    expect(pmml).toContain('reasonCode="checking account &lt; 0 DM"');
    expect(pmml).toMatch(/<SimplePredicate field="duration" operator="lessThan" value="[\d.]+"\/>/);
  });

  it('scores every German applicant like FedCredit: same points, same probability, same reason order', () => {
    const scored = scoreTable(card, table);
    const reasons = reasonCodes(card, table, { scored });
    const probability = childrenNamed(child(scorecard, 'Output'), 'OutputField').find((o) => o.attributes.feature === 'transformedValue')!;
    for (let i = 0; i < table.numRows; i++) {
      const { score, reasons: ranked } = pmmlScore(scorecard, recordOf(table, i));
      expect(Math.abs(score - scored.scores[i])).toBeLessThan(1e-9);
      expect(Math.abs(apply(probability.children[0], { 'Final Score': score }) - scored.probabilities[i])).toBeLessThan(1e-12);
      const mine = reasons[i];
      expect(ranked.slice(0, mine.length).map((r) => r.name)).toEqual(mine.map((r) => `${r.column}_points`));
    }
  });

  it('handles missing values, unseen categories and characters XML must escape', () => {
    const binning = structuredClone(tinyBinning) as typeof tinyBinning & { variables: { bins: { words: string }[] }[] };
    binning.variables[0].bins[0].words = 'a < b & "c" \'d\' > e';
    (binning.variables[1].bins as unknown[]).push({ kind: 'missing', numGood: 1, numBad: 1, woe: 0.25, iv: 0, label: 'missing', words: 'Size: not given' });
    const c = buildScorecard({ binning, parameters: Float64Array.of(-0.8, -0.4, -1) });
    const doc = child(parseXml(scorecardPmml(c)), 'Scorecard');
    const first = childrenNamed(child(doc, 'Characteristics'), 'Characteristic')[0];
    expect(childrenNamed(first, 'Attribute')[0].attributes.reasonCode).toBe('a < b & "c" \'d\' > e');
    const sizes = childrenNamed(childrenNamed(child(doc, 'Characteristics'), 'Characteristic')[1], 'Attribute');
    expect(sizes[0].children[0].attributes.operator).toBe('isMissing'); // missing first
    const t = tinyTable();
    const scored = scoreTable(c, t);
    for (let i = 0; i < t.numRows; i++) expect(pmmlScore(doc, recordOf(t, i)).score).toBeCloseTo(scored.scores[i], 9);
  });

  it('rejects bad options', () => {
    expect(() => scorecardPmml(card, { numReasons: 99 })).toThrow(/numReasons/);
    expect(() => scorecardPmml(card, { scoreField: 'duration' })).toThrow(/scoreField/);
  });
});
