/** Errors of the coordinator's round loop. */
import { FedCreditError } from '../errors.js';

/** A round could not complete (too few nodes answered, every node failed, …). */
export class RoundError extends FedCreditError {
  readonly round: number;
  constructor(code: string, round: number, message: string) {
    super(code, message);
    this.round = round;
  }
}
