/**
 * Device authentication and access control on the embedded broker (aedes' authenticate,
 * authorizePublish and authorizeSubscribe hooks). In `credentials` mode a client proves a hardware id
 * (its own secret, the enrollment key, or a client certificate on MQTTS), its client id must be that
 * hardware id, and it publishes and subscribes only on its own topics (broker-acl.ts).
 */
import type { TLSSocket } from 'node:tls';
import type { Client, PublishPacket, Subscription } from 'aedes';
import type { DeviceCredentials } from './device-credentials.ts';
import { DeviceAcl } from './broker-acl.ts';
import type { AuthDenials, DenialReason } from './auth-denials.ts';

/** `open`: any client, any topic (labs, tests); `credentials`: a proven identity, own topics only. */
export type DeviceAuthMode = 'open' | 'credentials';

/** How a connected device proved its identity. */
export type AdmittedVia = 'credentials' | 'enrollment' | 'certificate';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3. */
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** Topics remembered per connection, so a device publishing on the same topics pays one check each. */
const TOPIC_CACHE_LIMIT = 64;

interface Session {
  readonly hardwareId: string;
  readonly via: AdmittedVia;
  readonly acl: DeviceAcl;
  readonly allowed: Map<string, boolean>;
}

type AuthError = Error & { returnCode: number };

export interface DeviceAuthOptions {
  readonly credentials: DeviceCredentials;
  readonly denials: AuthDenials;
}

/** The hooks handed to EmbeddedMqttBus.create in `credentials` mode. */
export class DeviceAuth {
  readonly #o: DeviceAuthOptions;
  readonly #sessions = new WeakMap<Client, Session>();
  /** The live connection of each hardware id, to drop it when its credentials are revoked or rotated. */
  readonly #live = new Map<string, Client>();

  constructor(options: DeviceAuthOptions) {
    this.#o = options;
  }

  /** The identity a connection proved, or undefined before CONNECT succeeded. */
  identityOf(client: Client): { hardwareId: string; via: AdmittedVia } | undefined {
    const session = this.#sessions.get(client);
    return session === undefined ? undefined : { hardwareId: session.hardwareId, via: session.via };
  }

  /** Close the live connection of `hardwareId`, if any (after its credentials were revoked or rotated). */
  disconnect(hardwareId: string): void {
    const client = this.#live.get(hardwareId);
    if (client === undefined) return;
    this.#live.delete(hardwareId);
    client.close();
  }

  /** aedes `authenticate`: refuse the CONNECT unless the client proves a hardware id equal to its client id. */
  readonly authenticate = (
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthError | null, success: boolean | null) => void,
  ): void => {
    this.#admit(client, username, password).then(
      (session) => {
        const refusal = Array.isArray(session) ? session : this.#checkSession(client, session);
        if (refusal !== undefined) {
          const [reason, code] = refusal;
          this.#o.denials.deny('connect', reason, client.id, username ?? null);
          done(Object.assign(new Error(`connection refused: ${reason}`), { returnCode: code }), false);
          return;
        }
        const admitted = session as Session;
        this.#sessions.set(client, admitted);
        this.#live.set(admitted.hardwareId, client);
        // aedes' Client emits no close of its own; its connection does.
        client.conn.once('close', () => {
          if (this.#live.get(admitted.hardwareId) === client) this.#live.delete(admitted.hardwareId);
        });
        done(null, true);
      },
      (error: unknown) => {
        this.#o.denials.deny('connect', 'store_error', client.id, username ?? null, error);
        done(Object.assign(new Error('connection refused: server unavailable'), { returnCode: 3 }), false);
      },
    );
  };

  /** Synchronous part of aedes `authorizePublish`: undefined to allow, else why it is refused. */
  readonly authorizePublish = (client: Client | null, packet: PublishPacket): string | undefined => {
    // No client: a will stored by an earlier broker run, its owner unknown now; the hub's own
    // publications never pass through this hook.
    const session = client === null ? undefined : this.#sessions.get(client);
    if (session === undefined) {
      this.#o.denials.deny('publish', 'no_identity', client?.id ?? null, packet.topic);
      return `publish refused: no proven identity for ${packet.topic}`;
    }
    let allowed = session.allowed.get(packet.topic);
    if (allowed === undefined) {
      allowed = session.acl.mayPublish(packet.topic);
      if (session.allowed.size >= TOPIC_CACHE_LIMIT) session.allowed.clear();
      session.allowed.set(packet.topic, allowed);
    }
    if (allowed) return undefined;
    this.#o.denials.deny('publish', 'foreign_topic', session.hardwareId, packet.topic);
    return `publish refused: ${session.hardwareId} may not publish on ${packet.topic}`;
  };

  /** aedes `authorizeSubscribe`: a refused filter is answered with SUBACK 0x80 [MQTT-3.9.3-2]; the connection stays. */
  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const session = this.#sessions.get(client);
    if (session !== undefined && session.acl.maySubscribe(subscription.topic)) {
      done(null, subscription);
      return;
    }
    this.#o.denials.deny('subscribe', 'foreign_topic', session?.hardwareId ?? client.id, subscription.topic);
    done(null, null);
  };

  async #admit(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<Session | [DenialReason, number]> {
    const certified = peerCommonName(client);
    if (certified !== undefined) {
      if (username !== undefined && username !== '' && username !== certified) return ['certificate_mismatch', BAD_USERNAME_OR_PASSWORD];
      if (client.id !== certified) return ['client_id_mismatch', IDENTIFIER_REJECTED];
      const record = await this.#o.credentials.get(certified);
      if (record?.state === 'revoked') return ['revoked', NOT_AUTHORIZED];
      return session(certified, 'certificate');
    }
    if (username === undefined || username === '') return ['no_credentials', NOT_AUTHORIZED];
    // Cheap checks first: a wrong client id never costs a hash.
    if (client.id !== username) return ['client_id_mismatch', IDENTIFIER_REJECTED];
    const checked = await this.#o.credentials.check(username, password === undefined ? '' : password.toString('utf8'));
    if (!checked.ok) return [checked.reason, checked.reason === 'revoked' ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD];
    return session(username, checked.via);
  }

  /** The will is published as the client, so it must be on one of its own topics. */
  #checkSession(client: Client, admitted: Session): [DenialReason, number] | undefined {
    const will = (client as Client & { _will?: { topic?: string } | null })._will;
    if (will?.topic !== undefined && !admitted.acl.mayPublish(will.topic)) return ['foreign_will', NOT_AUTHORIZED];
    return undefined;
  }
}

function session(hardwareId: string, via: AdmittedVia): Session {
  return { hardwareId, via, acl: new DeviceAcl(hardwareId), allowed: new Map() };
}

/** The subject CN of a verified client certificate on a TLS connection, if there is one. */
function peerCommonName(client: Client): string | undefined {
  const conn = client.conn as Partial<TLSSocket>;
  if (typeof conn.getPeerCertificate !== 'function' || conn.authorized !== true) return undefined;
  const cn = conn.getPeerCertificate().subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
