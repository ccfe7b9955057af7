// What the signed-in role may call: each method's least role from the hub's own OpenRPC document (x-llmiot-role), so the page hides what the server would refuse.
import { rpc } from './rpc-client.ts';
import { roleAtLeast, type Role } from './types.ts';

interface OpenRpcMethod {
  readonly name: string;
  readonly 'x-llmiot-role'?: Role;
  readonly 'x-llmiot-kind'?: 'read' | 'write' | 'destructive';
}

export interface Permissions {
  /** True when `role` may call `method`; false for a method the hub does not offer. */
  can(method: string): boolean;
  /** 'destructive' methods ask for confirmation first. */
  kindOf(method: string): 'read' | 'write' | 'destructive' | undefined;
  has(method: string): boolean;
}

export async function loadPermissions(role: Role): Promise<Permissions> {
  const document = await rpc<{ methods: OpenRpcMethod[] }>('rpc.discover');
  const methods = new Map(document.methods.map((m) => [m.name, m]));
  return {
    can: (method) => {
      const need = methods.get(method)?.['x-llmiot-role'];
      return need !== undefined && roleAtLeast(role, need);
    },
    kindOf: (method) => methods.get(method)?.['x-llmiot-kind'],
    has: (method) => methods.has(method),
  };
}
