/** An MCP client connected to a hub in the same process (linked in-memory transports): for embedding and tests. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Principal } from '../core/principal.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { McpHub } from './mcp-hub.ts';
import { createMcpSession } from './mcp-session.ts';

/** Options of {@link connectInProcess}. */
export interface InProcessOptions {
  /** A client to connect (declare capabilities such as elicitation, set its handlers first); default a plain one. */
  readonly client?: Client;
  readonly logger?: Logger;
  /** Whose session it is (default the local admin: the program embedding the hub). */
  readonly principal?: Principal;
}

/**
 * Connect an SDK `Client` to the hub through an in-memory transport pair. Closing the client ends the
 * session; close it before the hub.
 */
export async function connectInProcess(hub: McpHub, options: InProcessOptions = {}): Promise<Client> {
  const client = options.client ?? new Client({ name: 'llm-iot-in-process', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const session = createMcpSession(hub, { logger: options.logger ?? silentLogger, ...(options.principal !== undefined && { principal: options.principal }) });
  await session.server.connect(serverSide);
  try {
    await client.connect(clientSide);
  } catch (error) {
    await session.close();
    throw error;
  }
  return client;
}
