/** `llm-iot user add | list | remove | passwd`: users who log in from a browser, in the hub's own store. */
import { parseArgs } from 'node:util';
import { addUser, changePassword } from '../auth/users.ts';
import { generateSecret } from '../security/password-hash.ts';
import { ConfigError } from '../config/load-config.ts';
import { DEFAULTS } from '../config/options.ts';
import { isRole, ROLES, type Role } from '../core/principal.ts';
import type { UserStore } from '../core/ports/user-store.ts';
import { openUserStore } from '../storage/open-stores.ts';

/** `llm-iot user --help`. */
export const USER_HELP = `Usage: llm-iot user <add|list|remove|passwd> [options]

Users log in from a browser (POST /auth/login) and get a session cookie. The store keeps only a slow
hash of each password. Once a user exists, every API caller needs a credential (docs/security.md).
Works on the hub's store, even while the hub runs. Passwords are never taken as arguments (they
would show in the process list and the shell history).

  llm-iot user add <name> --role viewer|operator|admin [--password-stdin]
        without --password-stdin a random password is generated and printed once, as JSON
  llm-iot user passwd <name> [--password-stdin]   a new password (generated unless --password-stdin)
  llm-iot user list      every user (name, role, created, disabled) as JSON; never a hash
  llm-iot user remove <name>   the user's open sessions end at their next request

  --password-stdin   read the password from standard input (up to the first newline)
  --data-dir <dir>   directory of the SQLite store (default ${DEFAULTS.dataDir}, env LLMIOT_DATA_DIR)
  --store <store>    sqlite or a postgres:// URL, as given to the hub (env LLMIOT_STORE)
  -h, --help         this text
`;

export async function userCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, name, ...extra] = positionals;
  if (extra.length > 0) throw new ConfigError(`unexpected argument "${extra[0]}"`);
  const spec = {
    store: values.store ?? process.env['LLMIOT_STORE'] ?? DEFAULTS.store,
    dataDir: values['data-dir'] ?? process.env['LLMIOT_DATA_DIR'] ?? DEFAULTS.dataDir,
  };
  const needName = (): string => {
    if (name === undefined) throw new ConfigError(`${action ?? ''} needs the user name`);
    return name;
  };
  if (action === 'add') {
    const user = needName();
    if (!isRole(values.role)) throw new ConfigError(`--role must be one of ${ROLES.join(', ')}`);
    const role: Role = values.role;
    const password = values['password-stdin'] === true ? await readPasswordFromStdin() : undefined;
    return withStore(spec, async (store) => {
      const added = await addUser(store, { name: user, role, ...(password !== undefined && { password }) });
      process.stdout.write(`${JSON.stringify({ name: added.name, role: added.role, ...(added.generated && { password: added.password }) })}\n`);
      if (added.generated) process.stderr.write('Keep this password now: it cannot be shown again (llm-iot user passwd sets a new one).\n');
      return 0;
    });
  }
  if (action === 'passwd') {
    const user = needName();
    const given = values['password-stdin'] === true ? await readPasswordFromStdin() : undefined;
    return withStore(spec, async (store) => {
      const password = given ?? generateSecret();
      if (!(await changePassword(store, user, password))) {
        process.stderr.write(`llm-iot user: no user ${user}\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify({ name: user, ...(given === undefined && { password }) })}\n`);
      return 0;
    });
  }
  if (action === 'list') {
    return withStore(spec, async (store) => {
      const rows = (await store.listUsers()).map((u) => ({ name: u.name, role: u.role, created_at: iso(u.createdAt), disabled_at: u.disabledAt === null ? null : iso(u.disabledAt) }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    });
  }
  if (action === 'remove') {
    const user = needName();
    return withStore(spec, async (store) => {
      if (!(await store.removeUser(user))) {
        process.stderr.write(`llm-iot user: no user ${user} to remove\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify({ name: user, removed: true })}\n`);
      return 0;
    });
  }
  throw new ConfigError(action === undefined ? 'which action? add, list, remove or passwd' : `unknown action "${action}" (add, list, remove or passwd)`);
}

/** The first line of standard input (a password manager or `printf %s "$PW" |` pipes it in). */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (password === '') throw new ConfigError('--password-stdin: standard input held no password');
  return password;
}

async function withStore(spec: { store: string; dataDir: string }, work: (store: UserStore) => Promise<number>): Promise<number> {
  let store: UserStore;
  try {
    store = await openUserStore(spec);
  } catch (error) {
    process.stderr.write(`llm-iot user: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    return await work(store);
  } catch (error) {
    process.stderr.write(`llm-iot user: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
