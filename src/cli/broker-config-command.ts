/** `llm-iot broker-config --format mosquitto --out <dir>`: the files that make an external broker enforce the device ACL. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { OPTIONS } from '../plugins.ts';
import { mosquittoFiles } from '../security/mosquitto-config.ts';
import { generateSecret, hashSecret } from '../security/password-hash.ts';
import { openStores } from '../storage/open-stores.ts';

export const BROKER_CONFIG_HELP = `Usage: llm-iot broker-config --format mosquitto --out <dir> [--data-dir <dir> | --store <url>]
                          [--mqtt-username <hub-user> | --hub-users <id,id,...>] [--mqtt-password <hub-password>]

Writes <dir>/password_file (Mosquitto's own $7$ hashes of every device holding credentials, and the
hub's user), <dir>/acl_file (the device ACL as pattern lines) and <dir>/mosquitto.conf (the lines to
include). Without --mqtt-password (env LLMIOT_MQTT_PASSWORD) a hub password is generated and printed
once. Run it again after creating, rotating or revoking credentials, then reload Mosquitto (SIGHUP).
EMQX: see docs/security.md.

Several hub instances (scale-out, docs/deployment.md): --hub-users names one broker user per
instance, each its --mqtt-client-id (Mosquitto makes the user name the client id). They share the
one password, so a survivor can log in as a dead instance and adopt its session.

  --format mosquitto      the broker whose files to write (only mosquitto for now)
  --out <dir>             where to write them (created if missing)
  --hub-users <ids>       one hub user per instance, comma-separated (repeatable); default --mqtt-username
  -h, --help              this text
`;

const OWN_FLAGS = { format: { type: 'string' }, out: { type: 'string' }, 'hub-users': { type: 'string', multiple: true } } as const;

export async function brokerConfigCommand(argv: string[]): Promise<number> {
  // Split this command's flags from the hub's (--store, --data-dir, --mqtt-username, …).
  const own: string[] = [];
  const hubArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const name = arg.replace(/^--/, '').split('=')[0];
    if (arg.startsWith('--') && (name === 'format' || name === 'out' || name === 'hub-users')) {
      own.push(arg);
      if (!arg.includes('=') && argv[i + 1] !== undefined) own.push(argv[++i] as string);
    } else hubArgs.push(arg);
  }
  const { values } = parseArgs({ args: own, options: OWN_FLAGS, strict: true });
  if (values.format !== 'mosquitto') throw new ConfigError(`--format must be mosquitto, got "${values.format ?? ''}"`);
  if (values.out === undefined) throw new ConfigError('--out <dir> is required');
  const { config } = loadConfig(hubArgs, process.env, OPTIONS);
  const listed = (values['hub-users'] ?? []).flatMap((list) => list.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  if (values['hub-users'] !== undefined && listed.length === 0) throw new ConfigError('--hub-users needs at least one user name');
  const bad = listed.find((name) => /[/+#:\s]/.test(name));
  if (bad !== undefined) throw new ConfigError(`--hub-users: "${bad}" cannot be a hub user (it is the instance's client id: one topic level, no ':' or spaces)`);
  const usernames = listed.length > 0 ? [...new Set(listed)] : [config.mqttUsername ?? 'llm-iot-hub'];
  const username = usernames[0] as string;
  const generated = config.mqttPassword === undefined ? generateSecret() : undefined;
  const password = config.mqttPassword ?? (generated as string);
  const stores = await openStores({ store: config.store, dataDir: config.dataDir });
  try {
    const dir = resolve(values.out);
    // One hash each (own salt), of the one password the instances share.
    const hubs = await Promise.all(usernames.map(async (name) => ({ username: name, hash: await hashSecret(password) })));
    const files = mosquittoFiles(await stores.credentials.list(), hubs, dir);
    mkdirSync(dir, { recursive: true });
    // Hashes only, but still not for every local user to read.
    writeFileSync(`${dir}/password_file`, files.passwordFile, { mode: 0o600 });
    writeFileSync(`${dir}/acl_file`, files.aclFile, { mode: 0o644 });
    writeFileSync(`${dir}/mosquitto.conf`, files.config, { mode: 0o644 });
    const hub = { username, ...(usernames.length > 1 && { usernames }), ...(generated !== undefined && { password: generated }) };
    process.stdout.write(`${JSON.stringify({ out: dir, files: ['password_file', 'acl_file', 'mosquitto.conf'], hub })}\n`);
    return 0;
  } finally {
    await stores.close();
  }
}
