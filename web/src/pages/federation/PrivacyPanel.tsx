/**
 * "Privacy budget spent" on the federation dashboard: per dataset key, a table of the lenders
 * with the ε (and δ) their data has spent across every differentially private job the
 * coordinator ran, the number of those jobs, and where the budget is kept; the jobs behind each
 * figure in a disclosure below; what ε means in plain words above. Data: GET
 * /api/v1/privacy/spent (src/coordinator/server/privacyRoutes.ts), re-read whenever the page's
 * job list changes (every committed round and status change arrives over the live channel).
 */
import { useEffect, useRef } from 'react';
import { useApiData } from '../../api/useApi.js';
import { Loaded } from '../../components/Notes.js';
import { formatNumber, formatTime, shortId } from '../../format.js';
import { may } from '../../session/access.js';

/** One job's spend at one lender. */
interface JobSpendLine {
  readonly jobId: string;
  readonly status: string;
  readonly createdAt: number;
  readonly mechanism: 'dpsgd' | 'dp-fedavg';
  readonly rounds: number;
  readonly steps: number;
  readonly epsilon: number;
  readonly delta: number;
}

/** GET /api/v1/privacy/spent. */
export interface PrivacySpentAnswer {
  /** Where budgets come from: nodes report theirs at each job's start; their ledgers are the authority. */
  readonly budget: { readonly reportedByNodes: true; readonly note: string; readonly command: string };
  readonly datasets: readonly {
    readonly datasetKey: string;
    readonly jobs: number;
    readonly lenders: readonly {
      readonly nodeId: string;
      readonly institution: string | null;
      readonly epsilon: number;
      readonly delta: number;
      readonly mixedDelta: boolean;
      readonly jobs: number;
      readonly rounds: number;
      readonly breakdown: readonly JobSpendLine[];
      /** The lender's newest report of its budget for this dataset, null before any. */
      readonly budget: { readonly epsilon: number; readonly delta: number; readonly remainingEpsilon: number; readonly reportedAt: number } | null;
    }[];
  }[];
  readonly unreadable: readonly { readonly jobId: string; readonly reason: string }[];
}

const ROUTE = 'GET /api/v1/privacy/spent';

/** 1e-5 → "1e-5" (three significant digits at most). */
export function formatDelta(delta: number): string {
  return Number.isFinite(delta) ? Number(delta.toPrecision(3)).toExponential() : '—';
}

const MECHANISMS: Record<JobSpendLine['mechanism'], string> = {
  dpsgd: 'DP-SGD (each applicant’s record)',
  'dp-fedavg': 'DP-FedAvg (each lender’s whole contribution)',
};

/** Budget, what the lender's ledger says is left, and a bar of the share used. */
function BudgetCell({ budget }: { budget: NonNullable<PrivacySpentAnswer['datasets'][number]['lenders'][number]['budget']> }) {
  const used = Math.max(0, budget.epsilon - budget.remainingEpsilon);
  return (
    <>
      ε {formatNumber(budget.epsilon, 2)} (δ {formatDelta(budget.delta)}), {formatNumber(budget.remainingEpsilon, 2)} left{' '}
      <meter min={0} max={budget.epsilon} value={used} low={0.5 * budget.epsilon} high={0.8 * budget.epsilon} optimum={0}
        aria-label={`${formatNumber(used, 2)} of ε ${formatNumber(budget.epsilon, 2)} used or reserved`} />
      <span className="muted small"> as of {new Date(budget.reportedAt).toLocaleString()}</span>
    </>
  );
}

/** The panel; `jobs` is the page's job list, whose every change triggers a re-read. */
export function PrivacyPanel({ permissions, jobs }: { permissions: readonly string[]; jobs: unknown }) {
  const allowed = may(permissions, ROUTE);
  const spent = useApiData<PrivacySpentAnswer>(allowed ? '/api/v1/privacy/spent' : undefined);
  const first = useRef(true);
  const { reload } = spent;
  useEffect(() => {
    if (first.current) {
      first.current = false; // the hook has just loaded it
      return;
    }
    reload();
  }, [jobs, reload]);

  return (
    <section className="panel" aria-labelledby="privacy-spent-title" data-testid="privacy-panel">
      <h2 id="privacy-spent-title">Privacy budget spent</h2>
      <p className="small">
        <strong>What ε means.</strong> With differential privacy, every training job adds calibrated noise so that the
        models reveal almost nothing about any one applicant. ε (epsilon) measures how much they could still reveal:
        at ε = 1, whatever anyone learns from the models changes their odds of guessing whether a given person’s record
        was used by a factor of at most e¹ ≈ 2.7; smaller is more private, and 0 means nothing was spent. δ is the tiny
        probability that this bound does not hold. Each job spends some ε from the lender’s data, and the spends add up
        over jobs (here composed with the Rényi accountant, which is less than the plain sum of the jobs’ ε).
      </p>
      {!allowed ? <p className="muted">Your role does not see the privacy spent.</p> : (
        <Loaded data={spent.data} error={spent.error} what="the privacy spent">
          {(answer) => <PrivacyTables answer={answer} />}
        </Loaded>
      )}
    </section>
  );
}

/** The tables of one answer. */
function PrivacyTables({ answer }: { answer: PrivacySpentAnswer }) {
  return (
    <>
      {answer.datasets.length === 0 ? <p className="muted">No differentially private job has run yet: no privacy spent.</p> : null}
      {answer.datasets.map((d) => {
        const lenders = [...d.lenders].sort((a, b) => (a.institution ?? a.nodeId).localeCompare(b.institution ?? b.nodeId));
        const lines = lenders.flatMap((l) => l.breakdown.map((line) => ({ lender: l.institution ?? shortId(l.nodeId), line })))
          .sort((a, b) => a.line.createdAt - b.line.createdAt || a.lender.localeCompare(b.lender));
        return (
          <div key={d.datasetKey} className="privacy-dataset">
            <table data-testid={`privacy-${d.datasetKey}`}>
              <caption style={{ textAlign: 'left', fontWeight: 600, padding: '0.6rem 0 0.3rem' }}>
                Privacy spent on dataset <code>{d.datasetKey}</code> ({d.jobs} DP job{d.jobs === 1 ? '' : 's'})
              </caption>
              <thead>
                <tr><th scope="col">Lender</th><th scope="col">ε spent</th><th scope="col">δ</th><th scope="col">DP jobs</th><th scope="col">Rounds</th><th scope="col">Budget</th></tr>
              </thead>
              <tbody>
                {lenders.map((l) => (
                  <tr key={l.nodeId}>
                    <th scope="row">{l.institution ?? 'unknown institution'} <code className="muted small" title={l.nodeId}>{shortId(l.nodeId)}</code></th>
                    <td className="num" data-testid="epsilon">{formatNumber(l.epsilon, 2)}</td>
                    <td className="num">{formatDelta(l.delta)}{l.mixedDelta ? <span className="muted small"> (largest of the jobs’ δ)</span> : null}</td>
                    <td className="num">{l.jobs}</td>
                    <td className="num">{l.rounds}</td>
                    <td data-testid="budget">{l.budget ? <BudgetCell budget={l.budget} /> : <>set at the node <span className="muted small">(<code>{answer.budget.command}</code>)</span></>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <details>
              <summary>The jobs behind these figures ({lines.length} spend{lines.length === 1 ? '' : 's'}, one per job and lender)</summary>
              <table>
                <caption className="visually-hidden">DP jobs on dataset {d.datasetKey}, per lender</caption>
                <thead>
                  <tr><th scope="col">Job</th><th scope="col">Lender</th><th scope="col">Mechanism</th><th scope="col">Status</th><th scope="col">Rounds</th><th scope="col">ε of the job (δ)</th><th scope="col">Started</th></tr>
                </thead>
                <tbody>
                  {lines.map(({ lender, line }) => (
                    <tr key={`${line.jobId}-${lender}`}>
                      <th scope="row"><code title={line.jobId}>{shortId(line.jobId)}</code></th>
                      <td>{lender}</td>
                      <td>{MECHANISMS[line.mechanism] ?? line.mechanism}</td>
                      <td><span className={`status status-${line.status}`}>{line.status}</span></td>
                      <td className="num">{line.rounds}</td>
                      <td className="num">{formatNumber(line.epsilon, 2)} ({formatDelta(line.delta)})</td>
                      <td>{formatTime(line.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </div>
        );
      })}
      {answer.unreadable.length > 0 ? (
        <p className="note note-error">
          Not counted (stored privacy settings unreadable): {answer.unreadable.map((u) => shortId(u.jobId)).join(', ')}. Check these jobs at the lenders’ ledgers.
        </p>
      ) : null}
      <p className="muted small">
        Budgets: {answer.budget.note} Run <code>{answer.budget.command}</code> at a node for its budget, spent and remaining.
        Figures here are recomputed from the jobs’ settings and committed rounds; a round a node answered too late and
        DP analytics queries are charged at the node but not counted here.
      </p>
    </>
  );
}
