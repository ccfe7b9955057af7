/** `llm-iot device credentials create|rotate|revoke|list [hardware-id]`: device identities in the hub's store (docs/security.md). */
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { HubError } from '../core/errors.ts';
import { OPTIONS } from '../plugins.ts';
import { DeviceCredentials } from '../security/device-credentials.ts';
import { openStores } from '../storage/open-stores.ts';

export const DEVICE_HELP = `Usage: llm-iot device credentials <action> [hardware-id] [--data-dir <dir> | --store <url>]

Device identities in the hub's store (the same --data-dir / --store as \`llm-iot start\`; docs/security.md).

  create <hardware-id>    issue a device its own secret; prints {"hardware_id","username","password"} (shown once)
  rotate <hardware-id>    replace its secret; prints the new one; the old one stops working
  revoke <hardware-id>    refuse the device from its next connection on (its secret, the enrollment key, its certificate)
  list                    every record: active (own secret), enrolled (admitted by the enrollment key), revoked
  -h, --help              this text

A running hub drops a live connection at once only when rotate / revoke go through its JSON-RPC
(device.credentials.rotate / .revoke); from this command they apply at the device's next CONNECT.
`;

const ACTIONS = ['create', 'rotate', 'revoke', 'list'] as const;

export async function deviceCommand(argv: string[]): Promise<number> {
  const { config, rest } = loadConfig(argv, process.env, OPTIONS);
  const [group, action, hardwareId, ...extra] = rest;
  if (group !== 'credentials' || !ACTIONS.includes(action as (typeof ACTIONS)[number])) {
    throw new ConfigError(`expected "device credentials ${ACTIONS.join('|')}", got "${rest.join(' ')}"`);
  }
  if (action !== 'list' && hardwareId === undefined) throw new ConfigError(`device credentials ${action} needs a hardware id`);
  if (extra.length > 0 || (action === 'list' && hardwareId !== undefined)) throw new ConfigError(`unexpected argument "${[...(action === 'list' ? [hardwareId] : []), ...extra].join(' ')}"`);
  const stores = await openStores({ store: config.store, dataDir: config.dataDir });
  try {
    const credentials = new DeviceCredentials({ store: stores.credentials });
    const id = hardwareId as string;
    const answer =
      action === 'create' ? await credentials.create(id)
      : action === 'rotate' ? await credentials.rotate(id)
      : action === 'revoke' ? await credentials.revoke(id)
      : { credentials: await credentials.list() };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    process.stderr.write(`llm-iot device: ${error.message}\n`);
    return 1;
  } finally {
    await stores.close();
  }
}
