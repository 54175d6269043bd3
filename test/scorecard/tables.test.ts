import { describe, expect, it } from 'vitest';
import type { Scorecard } from '../../src/scorecard/points.js';
import { buildScorecard, scoreTable } from '../../src/scorecard/points.js';
import { attributeRows, cutsText, ivTable, scorecardCsv, scorecardJson } from '../../src/scorecard/tables.js';
import { germanScorecard, tinyBinning } from './fixture.js';

/** RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

describe('attribute-points table exports', () => {
  const { table, card } = germanScorecard();

  it('writes one CSV row per attribute with exact points and RFC 4180 quoting', () => {
    const csv = scorecardCsv(card);
    const rows = readCsv(csv);
    expect(rows[0]).toEqual(['characteristic', 'description', 'attribute', 'words', 'numGood', 'numBad', 'badRate', 'woe', 'coefficient', 'points', 'pointsRounded']);
    const data = rows.slice(1);
    expect(data).toHaveLength(card.characteristics.reduce((s, c) => s + c.attributes.length, 0));
    expect(data.every((r) => r.length === 11)).toBe(true);
    const points = card.characteristics.flatMap((c) => c.attributes.map((a) => a.points));
    expect(data.map((r) => Number(r[9]))).toEqual(points); // full precision: parses back bit for bit
    expect(data.map((r) => Number(r[10]))).toEqual(points.map(Math.round));
    const merged = data.find((r) => r[2].includes(', '))!; // a bin of several categories: 'A31, A30'
    expect(csv).toContain(`,"${merged[2]}",`);
    const binning = structuredClone(tinyBinning) as typeof tinyBinning & { variables: { bins: { words: string }[] }[] };
    binning.variables[0].bins[0].words = 'say "hi", then\r\nbye';
    const tiny = scorecardCsv(buildScorecard({ binning, parameters: Float64Array.of(-1, -1, 0) }));
    expect(tiny).toContain(',"say ""hi"", then\r\nbye",');
    expect(readCsv(tiny)[1][3]).toBe('say "hi", then\r\nbye');
    const other = data.filter((r) => r[2] === 'other');
    expect(other).toHaveLength(card.characteristics.length);
    expect(other.every((r) => r[4] === '' && r[7] === '0')).toBe(true);
  });

  it('writes JSON that alone scores applicants exactly like the scorecard it came from', () => {
    const parsed = JSON.parse(scorecardJson(card)) as Scorecard & { attributeTable: unknown[] };
    expect(parsed.format).toBe('fedcredit-scorecard');
    expect(parsed.attributeTable).toEqual(attributeRows(card));
    expect(Array.from(scoreTable(parsed, table).scores)).toEqual(Array.from(scoreTable(card, table).scores));
  });

  it('lists variables by decreasing information value with their selection', () => {
    const rows = ivTable(card.binning);
    expect(rows).toHaveLength(card.binning.variables.length);
    for (let k = 1; k < rows.length; k++) expect(rows[k].iv).toBeLessThanOrEqual(rows[k - 1].iv);
    expect(rows[0].column).toBe('existingchecking');
    expect(rows.filter((r) => r.selected).map((r) => r.column).sort()).toEqual(card.characteristics.map((c) => c.column).sort());
  });

  it('prints the cut points of a numeric variable', () => {
    const duration = card.binning.variables.find((v) => v.column === 'duration')!;
    expect(cutsText(card.binning, 'duration').split(', ')).toHaveLength(duration.bins.filter((b) => b.kind === 'range').length - 1);
    expect(() => cutsText(card.binning, 'existingchecking')).toThrow(/not a numeric variable/);
  });
});
