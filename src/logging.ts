/**
 * Structured logs (pino, JSON lines). Secrets and record values never reach them: request
 * bodies are not logged, and headers that carry credentials are redacted should anything log
 * them.
 */
import pino, { type Logger } from 'pino';

/** A logger for one process (`name`: coordinator, node:<name>, …). */
export function createLogger(options: { name: string; level?: string; destination?: NodeJS.WritableStream }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? process.env.FEDCREDIT_LOG_LEVEL ?? 'info',
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-fc-signature"]', 'headers.authorization', 'token', 'privateKeyPem', '*.token', '*.privateKeyPem'],
      censor: '[redacted]',
    },
  }, options.destination ?? process.stdout);
}
