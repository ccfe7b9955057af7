/** device.credentials.create|rotate|revoke|list: an operator's controls over device identities (docs/security.md). */
import { Type } from '@sinclair/typebox';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import type { DeviceCredentials } from '../security/device-credentials.ts';

/** Hidden from the LLM tool list (src/tools/tool-catalog.ts): a secret must never reach a model's context. */
const OPERATOR_ONLY = 'operator-only';

const HardwareIdParams = Type.Object({
  hardware_id: Type.String({ minLength: 1, maxLength: 256, description: 'the device hardware id, which is also its MQTT username and client id' }),
});
const Issued = Type.Object({
  hardware_id: Type.String(),
  username: Type.String(),
  password: Type.String({ description: 'shown once: only its hash is stored' }),
});
const Summary = Type.Object({
  hardware_id: Type.String(),
  state: Type.Union([Type.Literal('active'), Type.Literal('enrolled'), Type.Literal('revoked')]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export function credentialMethods(credentials: DeviceCredentials): MethodDefinition[] {
  return [
    defineMethod({
      name: 'device.credentials.create',
      summary: 'Issue a device its own MQTT credentials (username = hardware id). The password is in this answer only; the hub keeps a slow hash.',
      kind: 'write',
      tags: ['device', 'security', OPERATOR_ONLY],
      role: 'admin', // device identities are an admin's business (docs/security.md)
      params: HardwareIdParams,
      result: Issued,
      async handler(params) {
        return credentials.create(params.hardware_id);
      },
    }),
    defineMethod({
      name: 'device.credentials.rotate',
      summary: 'Replace a device secret: the old one stops working and the device is disconnected; the new password is in this answer only.',
      kind: 'destructive',
      tags: ['device', 'security', OPERATOR_ONLY],
      role: 'admin', // device identities are an admin's business (docs/security.md)
      params: HardwareIdParams,
      result: Issued,
      async handler(params) {
        return credentials.rotate(params.hardware_id);
      },
    }),
    defineMethod({
      name: 'device.credentials.revoke',
      summary: 'Refuse a device from now on (its secret, the enrollment key and its certificate) and disconnect it.',
      kind: 'destructive',
      tags: ['device', 'security', OPERATOR_ONLY],
      role: 'admin', // device identities are an admin's business (docs/security.md)
      params: HardwareIdParams,
      result: Summary,
      async handler(params) {
        return credentials.revoke(params.hardware_id);
      },
    }),
    defineMethod({
      name: 'device.credentials.list',
      summary: 'Every device credential record: active (own secret), enrolled (admitted by the enrollment key) or revoked. Never a secret or hash.',
      kind: 'read',
      tags: ['device', 'security', OPERATOR_ONLY],
      role: 'admin', // device identities are an admin's business (docs/security.md)
      params: Type.Object({}),
      result: Type.Object({ credentials: Type.Array(Summary) }),
      async handler() {
        return { credentials: await credentials.list() };
      },
    }),
  ];
}
