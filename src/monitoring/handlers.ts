/**
 * The monitoring message type a lender node answers: `psiHistogram`, the feature and score
 * histograms (./histograms.ts) of one of its datasets and splits, for the coordinator's
 * population-stability report. Only bin counts leave the node.
 */
import type { Handler } from '../node/app.js';
import type { NodeDataset } from '../node/jobContext.js';
import { readArray, readNumber } from '../protocol/config.js';
import { replyTo } from '../protocol/message.js';
import { selectedVariables } from '../scorecard/encode.js';
import { datasetOf, readBinning } from '../scorecard/handlers.js';
import { readSplit } from '../scorecard/nodeTraining.js';
import { featureHistogram, scoreHistogramOf } from './histograms.js';

/** Message types of the monitoring exchanges. */
export const MONITORING_MESSAGES = Object.freeze({ histogram: 'psiHistogram' } as const);

/**
 * Build the monitoring handlers over the datasets a node holds. A `psiHistogram` message names
 * `datasetKey` and `split`, carries the scorecard's `binning` (JSON) and, for the score
 * histogram, the WOE model `parameters` and `numScoreBins` (default 1000).
 *
 * @example new NodeApp({ nodeId, handlers: { ...createScorecardHandlers(ds), ...createMonitoringHandlers(ds) } })
 */
export function createMonitoringHandlers(datasets: ReadonlyMap<string, NodeDataset>): Record<string, Handler> {
  return {
    async [MONITORING_MESSAGES.histogram](message) {
      const dataset = datasetOf(datasets, message);
      const table = dataset[readSplit(message)];
      const binning = readBinning(message);
      const arrays: Record<string, Float64Array> = { features: featureHistogram(binning, table) };
      if (message.arrays.parameters !== undefined) {
        const parameters = readArray(message.arrays, 'parameters', selectedVariables(binning).length + 1);
        const numBins = readNumber(message.config, 'numScoreBins', { min: 2, max: 100_000, integer: true, fallback: 1000 });
        arrays.score = scoreHistogramOf(binning, parameters, table, numBins);
      }
      return replyTo(message, { arrays, config: { numRows: table.numRows } });
    },
  };
}
