/** ProtocolAdapter now lives with the other ports in core/ports; re-exported here for existing imports. */
export type { ProtocolAdapter } from '../core/ports/protocol-adapter.ts';
