/**
 * Privacy audit benchmark: the JSON of `fedcredit audit privacy --json` (membership-inference
 * attacks on German credit, 5 IID nodes, non-private vs DP-SGD at ε ∈ {8, 3, 1}, δ = 1e-5,
 * 5 repeats, plus the transport check), printed to stdout; progress and wall time on stderr.
 *
 * Usage: node --import tsx bench/privacyAudit.ts [--quick] [--model mlp] [--out FILE]
 *   --quick: 2 repeats, 2 shadows (a smoke run; the numbers are noisier)
 *   --model mlp: audit a one-hidden-layer MLP (16 units), which overfits more than logistic regression
 *   --out FILE: also write the JSON to FILE
 */
import { writeFileSync } from 'node:fs';
import { privacyAuditOptions, runAuditTransportChecks, runPrivacyAudit } from '../src/privacy/audit/report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const modelIndex = args.indexOf('--model');
const mlp = modelIndex >= 0 && args[modelIndex + 1] === 'mlp';
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;

const options = privacyAuditOptions({
  ...(quick ? { repeats: 2, numShadows: 2 } : {}),
  ...(mlp ? { model: { kind: 'mlp', config: { hidden: [16], activation: 'relu' } } } : {}),
});
const started = performance.now();
const report = await runPrivacyAudit(options, (e) => process.stderr.write(`${e.setting} repeat ${e.repeat}/${e.repeats} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`));
const transportChecks = await runAuditTransportChecks(options);
const json = `${JSON.stringify({ ...report, transportChecks }, null, 2)}\n`;
process.stdout.write(json);
if (out) writeFileSync(out, json);
process.stderr.write(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s; target met: ${report.target.met}; transport check clean: ${transportChecks.every((c) => c.result.ok)}\n`);
