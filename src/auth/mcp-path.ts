/**
 * The MCP endpoint's path, and the one OAuth protected resource: the built-in authorization server
 * issues tokens for `<origin>/mcp`, the RFC 9728 document describes it, and external issuers' tokens
 * for `--auth-audience` are accepted there only. Everything that names the endpoint takes it from here.
 */
export const MCP_PATH = '/mcp';
