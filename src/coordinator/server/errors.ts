/**
 * One error handler for the coordinator's HTTP API: client mistakes become 4xx with a JSON body
 * saying what was wrong; only real faults are 500, and those never echo internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { StoreError } from '../../store/index.js';
import { ProtocolError } from '../../protocol/config.js';
import { RoundError } from '../errors.js';

const STORE_STATUS: Record<string, number> = {
  NOT_FOUND: 404, CONFLICT: 409, TOKEN_INVALID: 401, TOKEN_USED: 401, TOKEN_EXPIRED: 401, REVOKED: 403,
  INVALID_TRANSITION: 409, JOB_NOT_RUNNING: 409, ROUND_OUT_OF_ORDER: 409, ROUND_COMMITTED: 409,
};

/** Install the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof StoreError && STORE_STATUS[error.code]) {
      return reply.code(STORE_STATUS[error.code]).send({ error: error.code.toLowerCase(), message: error.message });
    }
    if (error instanceof RoundError) {
      return reply.code(409).send({ error: error.code.toLowerCase(), message: error.message });
    }
    if (error instanceof ProtocolError) {
      request.log.warn({ code: error.code }, `bad node message: ${error.message}`);
      return reply.code(400).send({ error: error.code.toLowerCase(), message: error.message });
    }
    if (error.validation) {
      return reply.code(400).send({ error: 'invalid_request', message: error.message, issues: error.validation.map((v) => ({ field: v.instancePath || (v.params as { missingProperty?: string }).missingProperty || '', message: v.message })) });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: error.code?.toLowerCase() ?? 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'internal error');
    return reply.code(500).send({ error: 'internal', message: 'internal error; see the coordinator log' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
