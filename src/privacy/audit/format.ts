/**
 * Plain-text rendering of the privacy audit for the terminal: one row per setting with model
 * AUC and both attacks' AUC and advantage as mean ± std over repeats, the DP bound, the noise
 * floor of the optimistic advantage, and the target check in words.
 */
import type { MeanStd, PrivacyAuditReport } from './report.js';
import type { TransportCheckResult } from './transportCheck.js';

const pm = (m: MeanStd) => `${m.mean.toFixed(3)} ± ${m.std.toFixed(3)}`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: readonly string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The audit as a table followed by the target check and how to read the columns. */
export function formatAuditReport(report: PrivacyAuditReport): string {
  const c = report.config as { dataset: string; nodes: number; repeats: number; rounds: number; shadows: number; delta: number };
  const header = ['setting', 'σ', 'DP bound', 'model AUC', 'loss AUC', 'loss adv', 'loss adv (best)', 'shadow AUC', 'shadow adv', 'shadow adv (best)'];
  const rows = report.settings.map((s) => [
    s.setting,
    s.noiseMultiplier === null ? '—' : s.noiseMultiplier.toFixed(3),
    s.advantageBound === null ? '—' : s.advantageBound.toFixed(3),
    pm(s.modelAuc),
    pm(s.lossAttack.auc),
    pm(s.lossAttack.calibratedAdvantage),
    pm(s.lossAttack.bestAdvantage),
    pm(s.shadowAttack.auc),
    pm(s.shadowAttack.advantage),
    pm(s.shadowAttack.bestAdvantage),
  ]);
  const floor = report.settings.map((s) => s.lossAttack.nullBestAdvantage.mean);
  const lines = [
    `Membership inference on ${c.dataset}, ${c.nodes} nodes (IID), ${c.rounds} rounds, δ = ${c.delta < 1e-3 ? c.delta.toExponential() : c.delta}; mean ± std over ${c.repeats} repeats; ` +
      `${report.numMembers} members vs ${report.numNonMembers} non-members per repeat, ${c.shadows} shadow federations.`,
    '',
    table(header, rows),
    '',
    'adv = TPR − FPR with a threshold not chosen on the evaluated rows (loss: calibrated on the other half; shadow: the attack model\'s own decision).',
    `adv (best) = best threshold on the evaluated rows: optimistic; with no signal at all it averages ${Math.min(...floor).toFixed(3)}–${Math.max(...floor).toFixed(3)} at this sample size.`,
    'DP bound = (e^ε − 1 + 2δ)/(e^ε + 1), the most any attack can reach against an (ε, δ)-DP model (worst case).',
    '',
    report.target.statement,
    ...report.target.checks.map((t) => `  ${t.setting}: ${t.met ? 'met' : 'NOT met'} (worst mean advantage ${t.advantage.toFixed(3)}, 95% upper ${t.upper95.toFixed(3)}${t.conclusive ? '' : ', not conclusive at this sample size'})`),
  ];
  if (report.target.checks.length === 0) lines.push('  (no setting with ε in range)');
  return lines.join('\n');
}

/** "transport check: N replies scanned, 0 record values found", or what was found where. */
export function formatTransportCheck(label: string, result: TransportCheckResult): string {
  const head = `transport check (${label}): ${result.repliesScanned} replies scanned`;
  if (result.ok) return `${head}, 0 record values found`;
  const byType = new Map<string, Set<string>>();
  for (const f of result.findings) byType.set(f.messageType, (byType.get(f.messageType) ?? new Set()).add(`${f.field} (${f.reason})`));
  const where = [...byType].map(([type, fields]) => `  ${type}: ${[...fields].join(', ')}`);
  return [`${head}, ${result.numFindings} RECORD VALUES FOUND in:`, ...where].join('\n');
}
