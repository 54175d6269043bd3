/**
 * What the management commands (`nodes`, `jobs`) share: where the coordinator is, the admin
 * token, and JSON requests with errors a person can act on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, FedCreditError } from '../errors.js';
import { HttpClient } from '../node/http.js';

export interface ManagementFlags {
  coordinator?: string;
  adminToken?: string;
  dataDir?: string;
  ca?: string;
}

/** Add --coordinator, --admin-token, --data-dir, --ca to a command. */
export function withManagementOptions(command: Command): Command {
  return command
    .option('--coordinator <url>', 'coordinator URL (or FEDCREDIT_COORDINATOR)', process.env.FEDCREDIT_COORDINATOR ?? 'http://127.0.0.1:8040')
    .option('--admin-token <token>', 'admin token (or FEDCREDIT_ADMIN_TOKEN; default: read from --data-dir)')
    .option('--data-dir <dir>', 'coordinator data directory holding admin-token', '.fedcredit/coordinator')
    .option('--ca <file>', 'CA certificate of an HTTPS coordinator');
}

/** A management API client. */
export class ManagementClient {
  private readonly http: HttpClient;
  private readonly token: string;

  constructor(flags: ManagementFlags) {
    const token = flags.adminToken ?? process.env.FEDCREDIT_ADMIN_TOKEN ?? readToken(flags.dataDir ?? '.fedcredit/coordinator');
    this.token = token;
    this.http = new HttpClient(flags.coordinator ?? 'http://127.0.0.1:8040', flags.ca ? { ca: readFileSync(flags.ca) } : {});
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let res;
    try {
      res = await this.http.request(method, path, {
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? Buffer.from(JSON.stringify(body)) : undefined,
      });
    } catch (err) {
      throw new FedCreditError('COORDINATOR_UNREACHABLE', `cannot reach the coordinator at ${this.http.baseUrl.origin}: ${(err as Error).message}`);
    }
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 400) {
      const j = (json ?? {}) as { message?: string; issues?: { field: string; message: string }[] };
      const issues = j.issues?.map((i) => `\n  - ${i.field}: ${i.message}`).join('') ?? '';
      throw new ConfigError(`${method} ${path}: ${res.status} ${j.message ?? text.slice(0, 200)}${issues}`, 'API_ERROR');
    }
    return json as T;
  }

  close(): void {
    this.http.close();
  }
}

function readToken(dataDir: string): string {
  const path = join(dataDir, 'admin-token');
  if (!existsSync(path)) throw new ConfigError(`no admin token: give --admin-token, set FEDCREDIT_ADMIN_TOKEN, or point --data-dir at the coordinator's data directory (looked for ${path})`);
  return readFileSync(path, 'utf8').trim();
}
