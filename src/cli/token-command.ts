/** `llm-iot token create | list | revoke`: API tokens in the hub's own store (--data-dir / --store). */
import { parseArgs } from 'node:util';
import { createApiToken, parseDuration } from '../auth/api-tokens.ts';
import { ConfigError } from '../config/load-config.ts';
import { DEFAULTS } from '../config/options.ts';
import { isRole, ROLES } from '../core/principal.ts';
import { openTokenStore } from '../storage/open-stores.ts';

/** `llm-iot token --help`. */
export const TOKEN_HELP = `Usage: llm-iot token <create|list|revoke> [options]

API tokens for people and programs (sent as "Authorization: Bearer <token>"). The store keeps only a
hash: the token is printed once, by create. Once a token exists, every API caller needs one
(docs/security.md). Works on the hub's store, even while the hub runs.

  llm-iot token create --role viewer|operator|admin [--name <name>] [--expires 30d]
        prints {"id","token","role",...} as JSON; --expires takes s, m, h, d or w (default: never)
  llm-iot token list     every token (id, name, role, created, expires, revoked) as JSON; never the secret
  llm-iot token revoke <id>

  --data-dir <dir>   directory of the SQLite store (default ${DEFAULTS.dataDir}, env LLMIOT_DATA_DIR)
  --store <store>    sqlite or a postgres:// URL, as given to the hub (env LLMIOT_STORE)
  -h, --help         this text
`;

export async function tokenCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new ConfigError(`unexpected argument "${extra[0]}"`);
  const spec = {
    store: values.store ?? process.env['LLMIOT_STORE'] ?? DEFAULTS.store,
    dataDir: values['data-dir'] ?? process.env['LLMIOT_DATA_DIR'] ?? DEFAULTS.dataDir,
  };
  if (action === 'create') {
    if (!isRole(values.role)) throw new ConfigError(`--role must be one of ${ROLES.join(', ')}`);
    const ttlMs = values.expires === undefined ? undefined : parseDuration(values.expires);
    if (values.expires !== undefined && ttlMs === undefined) throw new ConfigError(`--expires must be a duration such as 30d, 12h or 90m, got "${values.expires}"`);
    return withStore(spec, async (store) => {
      const created = await createApiToken(store, { role: values.role as never, ...(values.name !== undefined && { name: values.name }), ...(ttlMs !== undefined && { ttlMs }) });
      process.stdout.write(`${JSON.stringify(created)}\n`);
      process.stderr.write('Keep this token now: it cannot be shown again. Send it as "Authorization: Bearer <token>".\n');
      return 0;
    });
  }
  if (action === 'list') {
    return withStore(spec, async (store) => {
      const rows = (await store.listTokens()).map((t) => ({
        id: t.id,
        name: t.name,
        role: t.role,
        created_at: iso(t.createdAt),
        expires_at: t.expiresAt === null ? null : iso(t.expiresAt),
        revoked_at: t.revokedAt === null ? null : iso(t.revokedAt),
      }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    });
  }
  if (action === 'revoke') {
    if (id === undefined) throw new ConfigError('revoke needs the token id (llm-iot token list shows them)');
    return withStore(spec, async (store) => {
      if (!(await store.revokeToken(id, Date.now()))) {
        process.stderr.write(`llm-iot token: no token ${id} to revoke (unknown or already revoked)\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify({ id, revoked: true })}\n`);
      return 0;
    });
  }
  throw new ConfigError(action === undefined ? 'which action? create, list or revoke' : `unknown action "${action}" (create, list or revoke)`);
}

async function withStore(spec: { store: string; dataDir: string }, work: (store: Awaited<ReturnType<typeof openTokenStore>>) => Promise<number>): Promise<number> {
  let store: Awaited<ReturnType<typeof openTokenStore>>;
  try {
    store = await openTokenStore(spec);
  } catch (error) {
    process.stderr.write(`llm-iot token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
