/**
 * PMML 4.4 export of a points scorecard (Data Mining Group, "PMML 4.4 — Scorecard",
 * https://dmg.org/pmml/v4-4-1/Scorecard.html), so that any PMML engine scores applicants with
 * the same points and reason codes as FedCredit:
 *
 * - `<Scorecard useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" baselineMethod="max">`
 *   with initialScore 0: the score is the sum of the partial scores;
 * - one `<Characteristic>` per selected variable, baselineScore = its highest bin points;
 * - one `<Attribute partialScore=… reasonCode=…>` per bin, whose reason code is the bin in the
 *   codebook's words. Attributes are tried in order and the first true predicate wins, so the
 *   missing bin (`isMissing`) comes first, then the ranges (`SimplePredicate`, or an `and` of
 *   two) or category sets (`SimplePredicate equal` / `SimpleSetPredicate isIn`), then a final
 *   `<True/>` attribute with the neutral (WOE 0) points for anything else;
 * - outputs: the final score, the probability of default 1 / (1 + exp((score − offset)/factor))
 *   as a transformed value, and four reason codes.
 * Partial scores are written in full precision, so the PMML score equals FedCredit's.
 */
import type { BinnedVariable, WoeBin } from './binning.js';
import { selectedVariables } from './encode.js';
import type { Characteristic, Scorecard } from './points.js';

/** Escape text for an XML attribute value or element content (XML 1.0 §2.4, §3.1). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const attr = (name: string, value: string | number) => `${name}="${escapeXml(String(value))}"`;

/** Options of {@link scorecardPmml}. */
export interface PmmlOptions {
  readonly modelName?: string;
  /** Name of the score field (default 'score'). */
  readonly scoreField?: string;
  /** Reason-code outputs (default 4, or the number of characteristics when fewer). */
  readonly numReasons?: number;
  readonly description?: string;
}

function dataField(v: BinnedVariable): string {
  if (v.kind === 'numeric') return `    <DataField ${attr('name', v.column)} optype="continuous" dataType="double"/>`;
  const codes = v.bins.flatMap((b) => b.categories ?? []);
  const values = codes.map((c) => `      <Value ${attr('value', c)}/>`).join('\n');
  return `    <DataField ${attr('name', v.column)} optype="${v.kind === 'ordinal' ? 'ordinal' : 'categorical'}" dataType="string">\n${values}\n    </DataField>`;
}

function predicate(field: string, bin: WoeBin, indent: string): string {
  const simple = (operator: string, value?: number | string) => `${indent}<SimplePredicate ${attr('field', field)} ${attr('operator', operator)}${value === undefined ? '' : ` ${attr('value', value)}`}/>`;
  if (bin.kind === 'missing') return simple('isMissing');
  if (bin.kind === 'categories') {
    const codes = bin.categories!;
    if (codes.length === 1) return simple('equal', codes[0]);
    // Array of strings: each value in double quotes, inner quotes escaped by a backslash (PMML 4.4 "Array").
    const items = codes.map((c) => `"${c.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ');
    return `${indent}<SimpleSetPredicate ${attr('field', field)} booleanOperator="isIn">\n${indent}  <Array ${attr('n', codes.length)} type="string">${escapeXml(items)}</Array>\n${indent}</SimpleSetPredicate>`;
  }
  if (bin.lower === null && bin.upper === null) return `${indent}<True/>`;
  if (bin.lower === null) return simple('lessThan', bin.upper!);
  if (bin.upper === null) return simple('greaterOrEqual', bin.lower!);
  return `${indent}<CompoundPredicate booleanOperator="and">\n${simple('greaterOrEqual', bin.lower!).replace(indent, `${indent}  `)}\n${simple('lessThan', bin.upper!).replace(indent, `${indent}  `)}\n${indent}</CompoundPredicate>`;
}

function characteristic(v: BinnedVariable, c: Characteristic): string {
  const attributes = c.attributes.map((a) => ({ a, bin: a.bin >= 0 ? v.bins[a.bin] : undefined }));
  // The missing bin first: comparisons with a missing value are UNKNOWN, never TRUE, but an
  // explicit first place documents the rule and is robust to engines that treat it otherwise.
  attributes.sort((x, y) => rank(x.bin) - rank(y.bin));
  const lines = attributes.map(({ a, bin }) => {
    const body = bin ? predicate(v.column, bin, '        ') : '        <True/>';
    return `      <Attribute ${attr('partialScore', a.points)} ${attr('reasonCode', a.words)}>\n${body}\n      </Attribute>`;
  });
  return `    <Characteristic ${attr('name', `${v.column}_points`)} ${attr('baselineScore', c.maxPoints)}>\n${lines.join('\n')}\n    </Characteristic>`;
}

const indentTwo = (block: string) => block.replace(/^/gm, '  ');

function rank(bin: WoeBin | undefined): number {
  return bin === undefined ? 2 : bin.kind === 'missing' ? 0 : 1;
}

function probabilityOutput(card: Scorecard): string {
  const c = (x: number) => `<Constant dataType="double">${x}</Constant>`;
  return [
    '    <OutputField name="Probability of Default" feature="transformedValue" dataType="double" optype="continuous">',
    '      <Apply function="/">',
    `        ${c(1)}`,
    '        <Apply function="+">',
    `          ${c(1)}`,
    '          <Apply function="exp">',
    '            <Apply function="/">',
    `              <Apply function="-"><FieldRef field="Final Score"/>${c(card.offset)}</Apply>`,
    `              ${c(card.factor)}`,
    '            </Apply>',
    '          </Apply>',
    '        </Apply>',
    '      </Apply>',
    '    </OutputField>',
  ].join('\n');
}

/**
 * The scorecard as a PMML 4.4 document (see the module doc).
 *
 * @example writeFileSync('scorecard.pmml', scorecardPmml(card, { modelName: 'german-fed' }));
 */
export function scorecardPmml(card: Scorecard, options: PmmlOptions = {}): string {
  const variables = selectedVariables(card.binning);
  const scoreField = options.scoreField ?? 'score';
  const numReasons = options.numReasons ?? Math.min(4, variables.length);
  if (!Number.isInteger(numReasons) || numReasons < 0 || numReasons > variables.length) throw new RangeError(`options.numReasons: expected an integer from 0 to ${variables.length}, got ${String(numReasons)}`);
  if (variables.some((v) => v.column === scoreField)) throw new RangeError(`options.scoreField: "${scoreField}" is also an input column`);
  const description = options.description ?? `FedCredit scorecard: ${card.scale.basePoints} points at ${card.scale.baseOdds}:1 good:bad odds, ${card.scale.pointsToDouble} points to double the odds`;
  const reasons = Array.from({ length: numReasons }, (_, r) => `    <OutputField ${attr('name', `Reason Code ${r + 1}`)} ${attr('rank', r + 1)} feature="reasonCode" dataType="string" optype="categorical"/>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">',
    `  <Header ${attr('description', description)}>`,
    '    <Application name="FedCredit" version="0.1.0"/>',
    '  </Header>',
    `  <DataDictionary ${attr('numberOfFields', variables.length + 1)}>`,
    ...variables.map(dataField),
    `    <DataField ${attr('name', scoreField)} optype="continuous" dataType="double"/>`,
    '  </DataDictionary>',
    `  <Scorecard ${attr('modelName', options.modelName ?? 'fedcredit-scorecard')} functionName="regression" useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" initialScore="0" baselineMethod="max">`,
    '    <MiningSchema>',
    ...variables.map((v) => `      <MiningField ${attr('name', v.column)} usageType="active" invalidValueTreatment="asIs"/>`),
    `      <MiningField ${attr('name', scoreField)} usageType="target"/>`,
    '    </MiningSchema>',
    '    <Output>',
    ...['    <OutputField name="Final Score" feature="predictedValue" dataType="double" optype="continuous"/>', probabilityOutput(card), ...reasons].map(indentTwo),
    '    </Output>',
    '    <Characteristics>',
    ...variables.map((v, j) => indentTwo(characteristic(v, card.characteristics[j]))),
    '    </Characteristics>',
    '  </Scorecard>',
    '</PMML>',
    '',
  ].join('\n');
}
