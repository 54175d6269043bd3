/**
 * Named errors with a stable `code` per component, so callers (CLI, HTTP API) can map them to
 * exit codes and status codes without parsing messages.
 */

/** Base class of FedCredit errors. */
export class FedCreditError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input data (file, row, column, what was expected). CLI exit code 2. */
export class DataError extends FedCreditError {
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  constructor(message: string, where: { file?: string; row?: number; column?: string; code?: string } = {}) {
    super(where.code ?? 'DATA_INVALID', message);
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
  }
}

/** Bad configuration or command-line usage. CLI exit code 2. */
export class ConfigError extends FedCreditError {
  constructor(message: string, code = 'CONFIG_INVALID') {
    super(code, message);
  }
}
