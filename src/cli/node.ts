/**
 * `fedcredit node`: run a lender node from its configuration file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { createLogger } from '../logging.js';
import { loadNodeConfig } from '../node/config.js';
import { NodeRuntime } from '../node/runtime.js';
import { ConfigError } from '../errors.js';
import { parseIntOption } from './parse.js';

export function nodeCommand(): Command {
  return new Command('node')
    .description('run a lender node: registers its datasets, trains when an accepted job asks, serves scoring')
    .requiredOption('--config <file>', 'node configuration (YAML; see docs/node-config.md)')
    .option('--coordinator <url>', 'coordinator URL (default: the config file’s coordinator)')
    .option('--token <token>', 'one-time enrollment token (first start only; or FEDCREDIT_ENROLLMENT_TOKEN)')
    .option('--port <port>', 'override the API port of the config')
    .addOption(new Option('--transport <kind>', 'task channel to the coordinator').choices(['websocket', 'long-poll']).default('websocket'))
    .action(async (flags: { config: string; coordinator?: string; token?: string; port?: string; transport: 'websocket' | 'long-poll' }) => {
      const config = loadNodeConfig(flags.config);
      const coordinator = flags.coordinator ?? config.coordinator;
      if (!coordinator) throw new ConfigError('no coordinator URL: give --coordinator or set coordinator in the config');
      const logger = createLogger({ name: `node:${config.nodeName}` });
      const runtime = new NodeRuntime({ config, coordinator, logger, token: flags.token, transport: flags.transport, apiPort: flags.port ? parseIntOption('--port', flags.port) : undefined });
      await runtime.start();
      logger.info({ nodeId: runtime.identity?.nodeId }, `node ${config.nodeName} up; API on http://${config.api.host}:${runtime.apiPort}`);
      if (runtime.setupToken) {
        // first start: the workspace's first admin; shown on a terminal only, else in a 0600 file (never logged)
        const tokenFile = join(config.dataDir, 'setup-token');
        writeFileSync(tokenFile, `${runtime.setupToken}\n`, { mode: 0o600 });
        const where = `http://${config.api.host}:${runtime.apiPort}/setup`;
        process.stdout.write(process.stdout.isTTY
          ? `\nFirst start: create the lender workspace's first admin at ${where} with this one-time setup token (valid 24 h):\n${runtime.setupToken}\n\n`
          : `First start: the one-time setup token for the lender workspace's first admin (${where}) is in ${tokenFile}\n`);
      }
      const shutdown = async (signal: string) => {
        logger.info(`${signal}: shutting down`);
        await runtime.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      await new Promise(() => {});
    });
}
