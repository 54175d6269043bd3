/**
 * Files what the machine scoring routes answer into the lender workspace, at the speed of the
 * scoring API:
 *
 * - **Applications**: the batches scored in one turn of the event loop are inserted in one
 *   transaction (applications.db, WAL, no fsync per commit: see applicationStore.ts); a request
 *   of up to {@link SYNC_FILING_MAX_RECORDS} records is answered once its records are committed,
 *   so a killed process never loses an application it has answered for. Larger batches (bulk
 *   scoring through the seed API) are answered first and filed right after, in chunks of
 *   {@link FILING_CHUNK_RECORDS} with the event loop free between chunks: filing 10,000 records
 *   costs several times scoring them, and the answer must not wait for the copy. A process
 *   killed in that window loses the unfiled tail of such a batch from the workspace (never the
 *   answer); `pendingRecords` and the filer's log line say how much is in flight.
 * - **Audit**: the node's audit log (hash-chained, synced on every entry) gets one
 *   `applications.scored` entry per interval (default 1 s) with how many records were scored,
 *   by model version and route, over which period, through which application row — not one
 *   synced entry per request, which would cap scoring at a few hundred requests per second. A
 *   watermark in applications.db says which rows the log covers; at start, rows scored after it
 *   (the process was killed within an interval) are audited as `recovered`, so every scored
 *   application is in the audit log.
 *
 * Never a record value in the audit log or the logs.
 */
import type { Logger } from 'pino';
import type { ScoredBatch } from '../../scoring/routes.js';
import type { Store } from '../../store/index.js';
import type { ApplicationStore } from './applicationStore.js';
import type { InputRanges } from './flags.js';
import { applicationsOf } from './recorder.js';
import { selectRows } from '../../data/schema.js';

/** Options of {@link ApplicationFiler.start}. */
export interface ApplicationFilerOptions {
  /** The node's workspace store (its audit log). */
  readonly store: Store;
  readonly applications: ApplicationStore;
  /** The dataset key scored records are filed under. */
  readonly datasetKey: string;
  /** The node's training-data ranges (for the out_of_range flag). */
  readonly ranges?: InputRanges;
  /** The served model version's id, if any. */
  readonly modelId: () => string | undefined;
  /** How often the audit log gets a summary entry (default 1000 ms). */
  readonly auditIntervalMs?: number;
  readonly logger?: Logger;
}

/** Batches up to this many records are filed before the request is answered. */
export const SYNC_FILING_MAX_RECORDS = 100;
/** Records per transaction when a large batch is filed after its answer. */
export const FILING_CHUNK_RECORDS = 250;

interface Waiting {
  readonly batch: ScoredBatch;
  readonly modelId: string | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

export class ApplicationFiler {
  private readonly options: ApplicationFilerOptions;
  private waiting: Waiting[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private auditing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Requests filed since the last audit entry (for its `batches` count). */
  private batchesSinceAudit = 0;
  private closed = false;

  private constructor(options: ApplicationFilerOptions) {
    this.options = options;
  }

  /** Audit what an earlier process filed but did not audit, then start the audit interval. */
  static async start(options: ApplicationFilerOptions): Promise<ApplicationFiler> {
    const interval = options.auditIntervalMs ?? 1000;
    if (!(Number.isFinite(interval) && interval > 0)) throw new RangeError(`auditIntervalMs: expected > 0, got ${interval}`);
    const filer = new ApplicationFiler(options);
    await filer.audit(true);
    filer.timer = setInterval(() => {
      filer.audit(false).catch((err: unknown) => options.logger?.error({ name: (err as Error).name }, 'auditing scored applications failed'));
    }, interval);
    filer.timer.unref();
    return filer;
  }

  /** Records of large batches answered but not filed yet. */
  pendingRecords = 0;

  /**
   * File one scored batch; resolves once its records are committed (small batches) or at once
   * (large batches, filed in the background; see the file's comment).
   */
  readonly keep = (batch: ScoredBatch): Promise<void> => {
    if (this.closed) return Promise.reject(new Error('application filer: closed'));
    if (batch.table.numRows > SYNC_FILING_MAX_RECORDS) {
      this.fileLater(batch);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ batch, modelId: this.options.modelId(), resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // every batch scored in this turn of the event loop goes into one transaction
      setImmediate(() => {
        this.scheduled = false;
        const group = this.waiting;
        this.waiting = [];
        this.flushing = this.flushing.then(() => this.insert(group));
      });
    });
  };

  private fileLater(batch: ScoredBatch): void {
    const modelId = this.options.modelId();
    const n = batch.table.numRows;
    this.pendingRecords += n;
    this.batchesSinceAudit++;
    const chunks: Waiting[][] = [];
    for (let start = 0; start < n; start += FILING_CHUNK_RECORDS) {
      const indices = Array.from({ length: Math.min(FILING_CHUNK_RECORDS, n - start) }, (_, i) => start + i);
      const part: ScoredBatch = { ...batch, table: selectRows(batch.table, indices), results: batch.results.slice(start, start + indices.length) };
      chunks.push([{ batch: part, modelId, resolve: () => { this.pendingRecords -= indices.length; }, reject: (err) => {
        this.pendingRecords -= indices.length;
        this.options.logger?.error({ name: (err as Error).name, records: indices.length }, 'filing part of a large scored batch failed');
      } }]);
    }
    // one chunk per turn of the event loop, after the answer went out
    for (const chunk of chunks) {
      this.flushing = this.flushing.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.insert(chunk, false));
    }
  }

  private async insert(group: Waiting[], countsAsBatches = true): Promise<void> {
    try {
      const rows = group.flatMap((w) => applicationsOf(w.batch.scorer, w.batch.table, w.batch.results, {
        datasetKey: this.options.datasetKey, source: w.batch.route === '/predictCreditRisk' ? 'legacy' : 'api',
        ...(this.options.ranges ? { ranges: this.options.ranges } : {}), ...(w.modelId !== undefined ? { modelId: w.modelId } : {}),
      }));
      await this.options.applications.insert(rows);
      if (countsAsBatches) this.batchesSinceAudit += group.length;
      for (const w of group) w.resolve();
    } catch (err) {
      for (const w of group) w.reject(err);
    }
  }

  /** Append one audit entry for the applications filed since the watermark (none: nothing). */
  audit(recovered = false): Promise<void> {
    // one audit at a time; a call while one runs waits for it and then audits what is left
    const run = async () => {
      const { applications, store } = this.options;
      const after = await applications.auditWatermark();
      const since = await applications.since(after);
      if (since.numRecords === 0) return;
      const batches = recovered ? undefined : this.batchesSinceAudit;
      this.batchesSinceAudit = 0;
      await store.appendAudit({
        actor: 'scoring-api', action: 'applications.scored', subject: this.options.datasetKey,
        details: {
          numRecords: since.numRecords, ...(batches !== undefined ? { batches } : { recovered: true }),
          byModel: since.byModel, bySource: since.bySource, firstScoredAt: since.firstScoredAt ?? null, lastScoredAt: since.lastScoredAt ?? null,
          fromRowId: after + 1, throughRowId: since.throughRowId,
        },
      });
      await applications.setAuditWatermark(since.throughRowId);
    };
    const next = (this.auditing ?? Promise.resolve()).then(run, run);
    this.auditing = next;
    return next;
  }

  /** File what is waiting, audit it, and stop the interval. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    while (this.scheduled || this.waiting.length > 0) await new Promise((r) => setImmediate(r));
    await this.flushing;
    await this.audit(false);
  }
}
