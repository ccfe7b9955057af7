/**
 * The per-message cost of device access control: DeviceAuth.authorizePublish on an admitted
 * connection (the remembered verdict of its topic), the check aedes runs for every PUBLISH.
 */
import { EventEmitter } from 'node:events';
import type { Client, PublishPacket } from 'aedes';
import { AuthDenials } from '../dist/security/auth-denials.js';
import { DeviceAuth } from '../dist/security/device-auth.js';
import { DeviceCredentials } from '../dist/security/device-credentials.js';
import { openStores } from '../dist/storage/open-stores.js';

/** ns per authorizePublish call, over `calls` calls on one admitted connection. */
export async function aclCheckNs(calls = 2_000_000): Promise<number> {
  const stores = await openStores({ store: 'memory', dataDir: '' });
  try {
    const credentials = new DeviceCredentials({ store: stores.credentials, iterations: 1000 });
    const { password } = await credentials.create('bench-acl');
    const auth = new DeviceAuth({ credentials, denials: new AuthDenials() });
    const client = { id: 'bench-acl', conn: new EventEmitter() } as unknown as Client;
    await new Promise<void>((resolve, reject) => auth.authenticate(client, 'bench-acl', Buffer.from(password), (error) => (error ? reject(error) : resolve())));
    const packet = { cmd: 'publish', topic: 'llmiot/v1/bench-acl/up', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false } as PublishPacket;
    let refused = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) if (auth.authorizePublish(client, packet) !== undefined) refused++;
    const ns = Number(process.hrtime.bigint() - t0) / calls;
    if (refused > 0) throw new Error('the ACL refused an allowed topic');
    return ns;
  } finally {
    await stores.close();
  }
}
