/** The MCP server through linked in-memory transports (connectInProcess), as an embedding application uses it. */
import { connectInProcess } from '../../src/mcp/in-process.ts';
import { describeMcpServer } from './describe-mcp-server.ts';

describeMcpServer('in-process', (t, client) => connectInProcess(t.hub, { client }));
