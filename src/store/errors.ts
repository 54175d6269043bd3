/**
 * Coded errors of the store, so the coordinator and the HTTP layer can map them to retries and
 * status codes (404, 409, 410) without parsing messages.
 */
import { FedCreditError } from '../errors.js';

/** Stable codes raised by the store. */
export type StoreErrorCode =
  | 'NOT_FOUND' // the id does not exist
  | 'CONFLICT' // a unique value (institution name, node key, id) is already taken
  | 'TOKEN_INVALID' // no enrollment token with this value
  | 'TOKEN_USED' // the token was already consumed (single use)
  | 'TOKEN_EXPIRED' // the token's expiry has passed
  | 'REVOKED' // the institution or node was revoked
  | 'INVALID_TRANSITION' // a status change not allowed by the lifecycle
  | 'JOB_NOT_RUNNING' // rounds can only be started or committed while the job runs
  | 'ROUND_OUT_OF_ORDER' // rounds are committed 1, 2, 3, … without gaps
  | 'ROUND_COMMITTED' // the round is already committed and cannot be restarted
  | 'STORE_CLOSED'; // the store was closed

/**
 * A failure the caller can act on, with a stable {@link StoreErrorCode}. Raised for business
 * rule violations only; driver failures (connection lost, disk full) propagate unchanged.
 */
export class StoreError extends FedCreditError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
