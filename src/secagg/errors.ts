/**
 * Coded failures of secure aggregation. Every message that crosses the network (requests to a
 * client, replies to the server) is untrusted; when one is malformed or inconsistent the stage
 * functions throw (client side) or reject that client (server side) with one of these codes, so
 * the coordinator can log it, answer with a 4xx or treat the client as dropped.
 */
import { FedCreditError } from '../errors.js';

/** Stable error codes of the secure-aggregation component. */
export type SecAggErrorCode =
  /** A field is missing, has the wrong type, or an unexpected field is present. */
  | 'SECAGG_MALFORMED'
  /** A byte string or vector has the wrong length. */
  | 'SECAGG_WRONG_LENGTH'
  /** A value lies outside its allowed range (ring element ≥ 2^ringBits, bad index, …). */
  | 'SECAGG_OUT_OF_RANGE'
  /** A client index that does not exist or is not a neighbour in this session. */
  | 'SECAGG_UNKNOWN_CLIENT'
  /** The same client, key, recipient or share appears twice. */
  | 'SECAGG_DUPLICATE'
  /** A stage was called out of order (or twice) for this state. */
  | 'SECAGG_WRONG_STAGE'
  /** Lists sent by the server contradict each other or the client's own view. */
  | 'SECAGG_INCONSISTENT'
  /** Fewer live clients (or neighbours) than the reconstruction threshold. */
  | 'SECAGG_TOO_FEW_CLIENTS'
  /** Fewer Shamir shares than the threshold for a secret the server must rebuild. */
  | 'SECAGG_TOO_FEW_SHARES'
  /** A rebuilt secret does not match its commitment or advertised public key. */
  | 'SECAGG_RECONSTRUCTION_MISMATCH'
  /** An encrypted share failed authentication (wrong key, tampered, misrouted). */
  | 'SECAGG_DECRYPT_FAILED'
  /** A public key is unusable (e.g. a low-order point giving an all-zero shared secret). */
  | 'SECAGG_INVALID_KEY';

/**
 * Error raised by secure aggregation, with a stable {@link SecAggErrorCode} and, when known,
 * the index of the client at fault.
 */
export class SecAggError extends FedCreditError {
  declare readonly code: SecAggErrorCode;
  readonly clientIndex?: number;
  constructor(code: SecAggErrorCode, message: string, options: { clientIndex?: number; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.clientIndex !== undefined) this.clientIndex = options.clientIndex;
  }
}
