/**
 * `fedcredit coordinator`: run the coordinator service (default port 8040).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { buildCoordinatorApp } from '../coordinator/server/app.js';
import { loadOrCreateAdminToken } from '../coordinator/server/adminAuth.js';
import { createLogger } from '../logging.js';
import { openStore, resolveStoreUrl } from '../store/index.js';
import { ConfigError } from '../errors.js';
import { ensureSetupToken } from '../web/index.js';
import { parseIntOption } from './parse.js';

export function coordinatorCommand(): Command {
  return new Command('coordinator')
    .description('run the coordinator: node enrollment and long-poll API, jobs, models, audit log')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port', '8040')
    .option('--data-dir <dir>', 'state directory (SQLite database, admin token)', '.fedcredit/coordinator')
    .option('--db <url>', 'database: postgres://… or a SQLite path (default: DATABASE_URL, else <data-dir>/fedcredit.db)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--online-window <ms>', 'a node is online this long after its last poll', '30000')
    .action(async (flags: { host: string; port: string; dataDir: string; db?: string; tlsCert?: string; tlsKey?: string; onlineWindow: string }) => {
      if (!!flags.tlsCert !== !!flags.tlsKey) throw new ConfigError('--tls-cert and --tls-key go together');
      const logger = createLogger({ name: 'coordinator' });
      const url = resolveStoreUrl({ db: flags.db, dataDir: flags.dataDir, env: process.env });
      const store = await openStore(url);
      const admin = loadOrCreateAdminToken(flags.dataDir);
      const https = flags.tlsCert ? { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey!) } : undefined;
      // first start: a one-time token to create the first dashboard admin, shown once on stdout (never logged)
      const setupToken = await ensureSetupToken(store, flags.dataDir);
      const { app, runner } = await buildCoordinatorApp({ store, adminToken: admin.token, logger, https, onlineWindowMs: parseIntOption('--online-window', flags.onlineWindow), web: { dataDir: flags.dataDir } });
      await app.listen({ host: flags.host, port: parseIntOption('--port', flags.port) });
      runner.start();
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : flags.port;
      logger.info({ store: store.dialect, adminTokenFile: admin.path, createdAdminToken: admin.created }, `coordinator listening on ${https ? 'https' : 'http'}://${flags.host}:${port} (docs at /docs)`);
      if (setupToken) {
        // shown on a terminal only; when output goes to a log file, point at the 0600 file instead
        const tokenFile = join(flags.dataDir, 'setup-token');
        writeFileSync(tokenFile, `${setupToken}\n`, { mode: 0o600 });
        const where = `${https ? 'https' : 'http'}://${flags.host}:${port}/`;
        process.stdout.write(process.stdout.isTTY
          ? `\nFirst start: create the first dashboard admin at ${where} with this one-time setup token (valid 24 h):\n${setupToken}\n\n`
          : `First start: the one-time setup token for the first dashboard admin (${where}) is in ${tokenFile}\n`);
      }
      const shutdown = async (signal: string) => {
        logger.info(`${signal}: shutting down`);
        await app.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      await new Promise(() => {}); // serve until a signal arrives
    });
}
