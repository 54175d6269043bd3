/**
 * The model report's scorecard section: the attribute-points table of a logistic-regression
 * model version (./pointsTable.ts), the split-gain ranking of a tree ensemble, or a plain note
 * for an MLP, each saying which it is.
 */
import { bytesToFloat64 } from '../coordinator/stateCodec.js';
import type { Schema } from '../data/schema.js';
import type { TreeEnsembleJson } from '../model/gbdt/ensemble.js';
import { parseEncoderSpec } from '../preprocess/encoder.js';
import type { ModelVersionRecord } from '../store/index.js';
import { gbdtGainImportance, logregPointsTable } from './pointsTable.js';
import { escapeHtml as esc } from './svg.js';

/** Features listed for a tree ensemble. */
const TOP_FEATURES = 15;

const pts = (v: number) => (Number.isFinite(v) ? Math.round(v).toString() : '—');

/** The section's HTML for a model version. */
export function renderScorecardSection(model: ModelVersionRecord): string {
  const meta = model.meta as Record<string, unknown>;
  const schema = meta.schema as Schema | undefined;
  const kind = String(meta.kind ?? '');
  const head = '<h2>Scorecard</h2>';
  if (kind === 'logreg') {
    let table;
    try {
      table = logregPointsTable(parseEncoderSpec(meta.encoder), bytesToFloat64(model.parameters), schema);
    } catch (err) {
      return `${head}<p>No points table: the stored model cannot be read (${esc((err as Error).message)}).</p>`;
    }
    const rows = table.characteristics.flatMap((c) => c.rows.map((r, i) => `<tr>${i === 0 ? `<th rowspan="${c.rows.length}">${esc(c.description)}${c.kind === 'numeric' ? `<br><small>points = ${c.intercept!.toFixed(2)} ${c.slope! < 0 ? '−' : '+'} ${Math.abs(c.slope!).toFixed(4)} × value${c.unit ? ` (${esc(c.unit)})` : ''}</small>` : ''}</th>` : ''}<td>${esc(r.words)}</td><td class="num">${pts(r.points)}</td></tr>`));
    return `${head}
<p><strong>Points table from the logistic regression’s coefficients</strong> — this model is a logistic regression on one-hot categories and standardised numbers, not a WOE-binned scorecard. Scaling: ${table.scale.basePoints} points at good:bad odds ${table.scale.baseOdds}:1, ${table.scale.pointsToDouble} points to double the odds (factor ${table.factor.toFixed(4)}, offset ${table.offset.toFixed(3)}); the intercept is spread evenly over the ${table.characteristics.length} characteristics. A category’s points are fixed; a numeric characteristic’s points are linear in the value (formula under its name; the rows show a few values). An applicant’s points add up to the score whose odds are exactly the model’s probability of default; more points, less risk. A monotonic WOE scorecard with reason codes (CSV, JSON, PMML) comes from <code>fedcredit scorecard</code>.</p>
<table class="scorecard" aria-label="Attribute points"><tr><th>characteristic</th><th>attribute</th><th>points</th></tr>${rows.join('')}</table>`;
  }
  if (kind === 'gbdt') {
    const ensemble = meta.ensemble as TreeEnsembleJson | undefined;
    const ranking = ensemble && Array.isArray(ensemble.trees) ? gbdtGainImportance(ensemble, schema).slice(0, TOP_FEATURES) : [];
    const body = ranking.length
      ? `<table aria-label="Features by split gain"><tr><th>feature</th><th>share of split gain</th><th>splits</th></tr>${ranking.map((g) => `<tr><th>${esc(g.description)}</th><td>${(100 * g.share).toFixed(1)} %</td><td>${g.splits}</td></tr>`).join('')}</table>`
      : '<p>The ensemble has no split.</p>';
    return `${head}<p>A points table does not apply to boosted trees: a tree’s contribution depends on combinations of values, not on one attribute at a time. Instead, the features by their share of the ensemble’s total split gain (the loss reduction their splits brought). Mean |contribution| per feature would need the lenders’ rows; each decision’s own reasons come from exact TreeSHAP at scoring time.</p>${body}`;
  }
  return `${head}<p>A points table does not apply to a ${esc(kind || 'model')} of this kind: its contributions depend on the whole applicant. Each decision’s reasons come from gradients × input at scoring time; a points scorecard comes from <code>fedcredit scorecard</code>.</p>`;
}
