/**
 * `fedcredit nodes invite|list|revoke`: manage the lenders of a federation.
 */
import { Command } from 'commander';
import { formatTable } from './format.js';
import { ManagementClient, withManagementOptions, type ManagementFlags } from './management.js';

export function nodesCommand(): Command {
  const nodes = new Command('nodes').description('invite institutions, list and revoke nodes');
  const invite = withManagementOptions(new Command('invite').argument('<institution>', 'institution name').option('--ttl-hours <h>', 'token lifetime in hours', '24').option('--json', 'print JSON'))
    .description('create a one-time enrollment token for an institution’s node')
    .action(async (institution: string, flags: ManagementFlags & { ttlHours: string; json?: boolean }) => {
      const client = new ManagementClient(flags);
      try {
        const r = await client.call<{ token: string; institutionId: string; expiresAt: number }>('POST', '/api/v1/invitations', { institution, ttlHours: Number(flags.ttlHours) });
        if (flags.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`Enrollment token for ${institution} (single use, expires ${new Date(r.expiresAt).toISOString()}):\n${r.token}\n\nStart the node with:  fedcredit node --config node.yaml --token <token>\n`);
      } finally {
        client.close();
      }
    });
  const list = withManagementOptions(new Command('list').option('--json', 'print JSON'))
    .description('enrolled nodes and whether they are online')
    .action(async (flags: ManagementFlags & { json?: boolean }) => {
      const client = new ManagementClient(flags);
      try {
        const list = await client.call<{ id: string; institution?: string; online: boolean; revokedAt?: number; lastSeenAt?: number }[]>('GET', '/api/v1/nodes');
        if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else process.stdout.write(`${formatTable(['node', 'institution', 'status', 'last seen'], list.map((n) => [n.id, n.institution ?? '', n.revokedAt ? 'revoked' : n.online ? 'online' : 'offline', n.lastSeenAt ? new Date(n.lastSeenAt).toISOString() : '—']))}\n`);
      } finally {
        client.close();
      }
    });
  const revoke = withManagementOptions(new Command('revoke').argument('<nodeId>'))
    .description('revoke a node: its requests are refused from now on')
    .action(async (nodeId: string, flags: ManagementFlags) => {
      const client = new ManagementClient(flags);
      try {
        await client.call('POST', `/api/v1/nodes/${encodeURIComponent(nodeId)}/revoke`);
        process.stdout.write(`node ${nodeId} revoked\n`);
      } finally {
        client.close();
      }
    });
  for (const c of [invite, list, revoke]) nodes.addCommand(c.exitOverride());
  return nodes;
}

