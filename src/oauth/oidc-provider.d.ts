/**
 * The part of oidc-provider 9's API the hub uses, typed (the package ships no types). Kept to what
 * src/oauth/ calls; see https://github.com/panva/node-oidc-provider/blob/v9.x/docs/README.md.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: { readonly name: string; readonly reasons: readonly string[]; readonly details: Readonly<Record<string, unknown>> };
    readonly params: Readonly<Record<string, unknown>>;
    readonly session?: { readonly accountId: string } | undefined;
    readonly grantId?: string | undefined;
    readonly returnTo: string;
    readonly lastSubmission?: Readonly<Record<string, unknown>> | undefined;
  }

  export interface InteractionResults {
    readonly login?: { readonly accountId: string; readonly remember?: boolean };
    readonly consent?: { readonly grantId: string };
    readonly error?: string;
    readonly error_description?: string;
  }

  export interface ClientRecord {
    readonly clientId: string;
    readonly clientName?: string | undefined;
    readonly redirectUris: readonly string[];
    readonly clientAuthMethod: string;
    grantTypeAllowed(type: string): boolean;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    static find(id: string): Promise<Grant | undefined>;
    readonly accountId: string;
    readonly clientId: string;
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    rejectResourceScope(resource: string, scope: string): void;
    getResourceScope(resource: string): string;
    save(ttl?: number): Promise<string>;
  }

  export interface KoaContextLike {
    readonly oidc: { readonly route?: string; readonly client?: ClientRecord; readonly entities: Readonly<Record<string, unknown>> };
    readonly method: string;
    readonly path: string;
  }

  export interface ResourceServerInfo {
    readonly scope: string;
    readonly audience: string;
    readonly accessTokenTTL: number;
    readonly accessTokenFormat: 'jwt' | 'opaque';
    readonly jwt?: { readonly sign?: { readonly alg: string } };
  }

  export interface Account {
    readonly accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown> & { sub: string }>;
  }

  export type Configuration = Readonly<Record<string, unknown>>;

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Grant: typeof Grant;
    readonly Client: { find(id: string): Promise<ClientRecord | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResults, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const errors: {
    readonly InvalidTarget: new (description?: string) => Error;
    readonly AccessDenied: new (description?: string) => Error;
    readonly OIDCProviderError: new (status: number, message: string) => Error;
  };
}
