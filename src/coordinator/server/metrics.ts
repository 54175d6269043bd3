/** Prometheus metrics of the coordinator (served at /metrics). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CoordinatorMetrics {
  readonly registry: Registry;
  readonly roundsCommitted: Counter<'job'>;
  readonly roundDuration: Histogram;
  readonly bytesReceived: Counter<'route' | 'type'>;
  readonly bytesSent: Counter<'route'>;
  readonly refused: Counter<'code'>;
  readonly repliesReceived: Counter<'type'>;
  readonly discardedReplies: Counter<'reason'>;
  readonly nodesOnline: Gauge;
}

/** A fresh registry with the coordinator's metrics (one per server, so tests do not collide). */
export function createCoordinatorMetrics(): CoordinatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fedcredit_coordinator_' });
  return {
    registry,
    roundsCommitted: new Counter({ name: 'fedcredit_rounds_committed_total', help: 'Rounds committed, by job', labelNames: ['job'], registers: [registry] }),
    roundDuration: new Histogram({ name: 'fedcredit_round_duration_seconds', help: 'Wall time of a federated round', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry] }),
    bytesReceived: new Counter({ name: 'fedcredit_bytes_received_total', help: 'Request bytes received from nodes (body plus signature headers), by route and message type', labelNames: ['route', 'type'], registers: [registry] }),
    bytesSent: new Counter({ name: 'fedcredit_bytes_sent_total', help: 'Response body bytes sent to nodes, by route', labelNames: ['route'], registers: [registry] }),
    refused: new Counter({ name: 'fedcredit_requests_refused_total', help: 'Node requests refused, by reason', labelNames: ['code'], registers: [registry] }),
    repliesReceived: new Counter({ name: 'fedcredit_replies_received_total', help: 'Replies received from nodes, by message type', labelNames: ['type'], registers: [registry] }),
    discardedReplies: new Counter({ name: 'fedcredit_replies_discarded_total', help: 'Node replies discarded (late, duplicate, stale), by reason', labelNames: ['reason'], registers: [registry] }),
    nodesOnline: new Gauge({ name: 'fedcredit_nodes_online', help: 'Nodes that polled recently', registers: [registry] }),
  };
}
