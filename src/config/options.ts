/** The hub's configuration options: one table for defaults, config file keys, LLMIOT_* variables, CLI flags and --help. */

export type OptionType = 'string' | 'integer' | 'boolean';

export interface OptionSpec {
  /** Key in HubConfig and in the JSON config file. */
  readonly key: keyof HubConfig;
  /** CLI flag without dashes. */
  readonly flag: string;
  /** Environment variable. */
  readonly env: string;
  readonly type: OptionType;
  readonly description: string;
  /** The only values a string option accepts (checked when the configuration is loaded, listed in --help). */
  readonly choices?: readonly string[];
}

export interface HubConfig {
  httpPort: number;
  httpHost: string;
  mqttPort: number;
  mqttHost: string;
  mqttTlsPort: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** PEM CA bundle: MQTTS asks for client certificates signed by it; the subject CN names the hardware id. */
  tlsCa: string | undefined;
  /** `open` or `credentials`; undefined = `credentials` unless the broker listens on loopback only. */
  deviceAuth: 'open' | 'credentials' | undefined;
  /** Fleet enrollment key: admits and pins a device not yet holding credentials (docs/security.md). */
  enrollmentKey: string | undefined;
  /** The hub's own user name and password on an external broker (else taken from --mqtt-url). */
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  mqttUrl: string | undefined;
  mqttSharedGroup: string | undefined;
  /** External broker: the hub's MQTT client id; undefined = derived from host name, data dir and Sparkplug host id (hub.ts). */
  mqttClientId: string | undefined;
  /** External broker: seconds the broker keeps the hub's session (and queues for it) while it is away; 0 = clean session. */
  mqttSessionExpiry: number;
  /** Scale-out (external broker + shared group + PostgreSQL): ms an instance's membership lease lasts without renewal. */
  clusterLeaseMs: number;
  store: string;
  dataDir: string;
  heartbeatInterval: number;
  missedHeartbeats: number;
  commandTimeout: number;
  maxMessageBytes: number;
  telemetryBatchSize: number;
  telemetryFlushMs: number;
  telemetryMaxPending: number;
  telemetryMaxFutureMs: number;
  // --- limits (docs/limits.md) ---
  mqttConnectTimeoutMs: number;
  maxMqttConnections: number;
  maxSubscriptionsPerClient: number;
  maxRetainedMessages: number;
  maxRetainedBytes: number;
  maxWsConnections: number;
  maxMqttWsConnections: number;
  maxLiveSubscriptions: number;
  maxDevices: number;
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  // --- end limits ---
  sparkplugHostId: string;
  sparkplugReorderTimeoutMs: number;
  llmPolicy: string | undefined;
  /** The hub's address as people reach it (approval links in MCP and llm.execute_command answers). */
  publicUrl: string | undefined;
  // --- LLM provider (llm.execute_command, src/llm/) ---
  llmProvider: string | undefined;
  llmModel: string | undefined;
  llmBaseUrl: string | undefined;
  llmApiKey: string | undefined;
  llmMaxSteps: number;
  llmMaxRetries: number;
  llmTimeoutMs: number;
  // --- end LLM provider ---
  // --- auth (docs/security.md) ---
  /** `auto`: auth is on when the store holds a credential; `required`: always on. */
  auth: 'auto' | 'required';
  /** Allow binding beyond loopback with auth off (remote callers are then admins). */
  insecure: boolean;
  /** Users' browser sessions: absolute lifetime and idle timeout, in minutes. */
  sessionTtlMinutes: number;
  sessionIdleMinutes: number;
  /** Comma-separated extra Host names the API answers to. */
  allowedHosts: string | undefined;
  /** Comma-separated browser origins allowed to call the API cross-origin. */
  allowedOrigins: string | undefined;
  /** Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client. */
  trustedProxy: string | undefined;
  /** /metrics without credentials even when auth is on. */
  metricsPublic: boolean;
  /** OpenID Connect issuer whose access tokens /mcp accepts, and the API with `authApiAudience` (turns auth on). */
  authIssuer: string | undefined;
  /** Comma-separated `aud` values /mcp accepts: this hub's /mcp URL (RFC 8707). */
  authAudience: string | undefined;
  /** Comma-separated `aud` values /rpc, /ws, /export and /metrics accept; unset: the issuer's tokens are /mcp-only. */
  authApiAudience: string | undefined;
  /** Claim holding viewer|operator|admin (a dotted path reaches nested claims). */
  authRoleClaim: string;
  /** JWKS URL instead of the issuer's discovered `jwks_uri`. */
  authJwksUrl: string | undefined;
  /** The built-in OAuth authorization server for MCP clients (on by default; off: only tokens, users and --auth-issuer). */
  oauthServer: 'on' | 'off';
  /** Lifetime of its access tokens, s. */
  oauthTokenTtl: number;
  /** Lifetime of its refresh tokens (and of a user's consent), days. */
  oauthRefreshTtlDays: number;
  // --- end auth ---
  logLevel: string;
  /** `json` or `pretty`; undefined = pretty when stdout is a terminal, json otherwise. */
  logFormat: 'json' | 'pretty' | undefined;
}

export const DEFAULTS: HubConfig = {
  httpPort: 8080,
  // Loopback until credentials exist: docs/security.md, "Secure defaults".
  httpHost: '127.0.0.1',
  mqttPort: 1883,
  mqttHost: '127.0.0.1',
  mqttTlsPort: 8883,
  tlsCert: undefined,
  tlsKey: undefined,
  tlsCa: undefined,
  deviceAuth: undefined,
  enrollmentKey: undefined,
  mqttUsername: undefined,
  mqttPassword: undefined,
  mqttUrl: undefined,
  mqttSharedGroup: undefined,
  mqttClientId: undefined,
  mqttSessionExpiry: 3600,
  clusterLeaseMs: 10_000,
  store: 'sqlite',
  dataDir: './data',
  heartbeatInterval: 30,
  missedHeartbeats: 3,
  commandTimeout: 10_000,
  maxMessageBytes: 262_144,
  telemetryBatchSize: 5_000,
  telemetryFlushMs: 50,
  telemetryMaxPending: 1_000_000,
  telemetryMaxFutureMs: 600_000,
  // --- limits ---
  mqttConnectTimeoutMs: 10_000,
  maxMqttConnections: 10_000,
  maxSubscriptionsPerClient: 1_000,
  maxRetainedMessages: 10_000,
  maxRetainedBytes: 67_108_864,
  maxWsConnections: 1_000,
  maxMqttWsConnections: 10_000,
  maxLiveSubscriptions: 100,
  maxDevices: 100_000,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  httpKeepAliveTimeoutMs: 5_000,
  // --- end limits ---
  sparkplugHostId: 'llm-iot',
  sparkplugReorderTimeoutMs: 2_000,
  llmPolicy: undefined,
  publicUrl: undefined,
  // --- LLM provider ---
  llmProvider: undefined,
  llmModel: undefined,
  llmBaseUrl: undefined,
  llmApiKey: undefined,
  llmMaxSteps: 10,
  llmMaxRetries: 2,
  llmTimeoutMs: 120_000,
  // --- end LLM provider ---
  // --- auth ---
  auth: 'auto',
  insecure: false,
  sessionTtlMinutes: 720,
  sessionIdleMinutes: 30,
  allowedHosts: undefined,
  allowedOrigins: undefined,
  trustedProxy: undefined,
  metricsPublic: false,
  authIssuer: undefined,
  authAudience: undefined,
  authApiAudience: undefined,
  authRoleClaim: 'llmiot_role',
  authJwksUrl: undefined,
  oauthServer: 'on',
  oauthTokenTtl: 600,
  oauthRefreshTtlDays: 14,
  // --- end auth ---
  logLevel: 'info',
  logFormat: undefined,
};

/**
 * The hub's own options. Each protocol plug-in adds its rows (`ProtocolPlugin.options`); the whole
 * table is `OPTIONS` in src/plugins.ts.
 */
export const CORE_OPTIONS: readonly OptionSpec[] = [
  { key: 'httpPort', flag: 'http-port', env: 'LLMIOT_HTTP_PORT', type: 'integer', description: 'HTTP port: JSON-RPC POST /rpc, WebSocket /ws, MQTT over WebSocket /mqtt, /healthz, /metrics (0 = ephemeral)' },
  { key: 'httpHost', flag: 'http-host', env: 'LLMIOT_HTTP_HOST', type: 'string', description: 'HTTP bind address (default loopback; another address needs auth on or --insecure)' },
  { key: 'mqttPort', flag: 'mqtt-port', env: 'LLMIOT_MQTT_PORT', type: 'integer', description: 'embedded broker MQTT/TCP port (0 = ephemeral)' },
  { key: 'mqttHost', flag: 'mqtt-host', env: 'LLMIOT_MQTT_HOST', type: 'string', description: 'embedded broker bind address (default loopback; another address needs auth on or --insecure)' },
  { key: 'mqttTlsPort', flag: 'mqtt-tls-port', env: 'LLMIOT_MQTT_TLS_PORT', type: 'integer', description: 'embedded broker MQTTS port, used when --tls-cert and --tls-key are given' },
  { key: 'tlsCert', flag: 'tls-cert', env: 'LLMIOT_TLS_CERT', type: 'string', description: 'PEM certificate file: HTTPS on the HTTP port, and MQTTS' },
  { key: 'tlsKey', flag: 'tls-key', env: 'LLMIOT_TLS_KEY', type: 'string', description: 'PEM private key file: HTTPS on the HTTP port, and MQTTS' },
  { key: 'tlsCa', flag: 'tls-ca', env: 'LLMIOT_TLS_CA', type: 'string', description: 'PEM CA file: MQTTS accepts client certificates it signed, the subject CN naming the hardware id' },
  { key: 'deviceAuth', flag: 'device-auth', env: 'LLMIOT_DEVICE_AUTH', type: 'string', description: 'open (any client, any topic: labs) or credentials (devices prove their hardware id and use only their own topics); default credentials unless the embedded broker and HTTP listen on loopback only', choices: ['open', 'credentials'] },
  { key: 'enrollmentKey', flag: 'enrollment-key', env: 'LLMIOT_ENROLLMENT_KEY', type: 'string', description: 'fleet enrollment key: a device without credentials connects with username = its hardware id and this as password, and is admitted and pinned' },
  { key: 'mqttUsername', flag: 'mqtt-username', env: 'LLMIOT_MQTT_USERNAME', type: 'string', description: "the hub's user name on the external broker (or in --mqtt-url)" },
  { key: 'mqttPassword', flag: 'mqtt-password', env: 'LLMIOT_MQTT_PASSWORD', type: 'string', description: "the hub's password on the external broker (or in --mqtt-url)" },
  { key: 'mqttUrl', flag: 'mqtt-url', env: 'LLMIOT_MQTT_URL', type: 'string', description: 'external broker URL (mqtt://, mqtts://, ws://); no embedded broker is started' },
  { key: 'mqttSharedGroup', flag: 'mqtt-shared-group', env: 'LLMIOT_MQTT_SHARED_GROUP', type: 'string', description: 'external broker: MQTT 5 shared-subscription group so several hubs split ingestion' },
  { key: 'mqttClientId', flag: 'mqtt-client-id', env: 'LLMIOT_MQTT_CLIENT_ID', type: 'string', description: 'external broker: the hub\'s MQTT client id, unique per hub instance and stable across its restarts (default derived from host name, data dir and Sparkplug host id)' },
  { key: 'mqttSessionExpiry', flag: 'mqtt-session-expiry', env: 'LLMIOT_MQTT_SESSION_EXPIRY', type: 'integer', description: 'external broker: seconds the broker keeps the hub\'s session and queues QoS 1 messages for it while it is away (0 = clean session, nothing kept)' },
  { key: 'store', flag: 'store', env: 'LLMIOT_STORE', type: 'string', description: 'sqlite (file in --data-dir), memory, or a postgres:// URL' },
  { key: 'dataDir', flag: 'data-dir', env: 'LLMIOT_DATA_DIR', type: 'string', description: 'directory of the SQLite store (one hub at a time: a second start there is refused)' },
  { key: 'heartbeatInterval', flag: 'heartbeat-interval', env: 'LLMIOT_HEARTBEAT_INTERVAL', type: 'integer', description: 'seconds between device heartbeats expected by default' },
  { key: 'missedHeartbeats', flag: 'missed-heartbeats', env: 'LLMIOT_MISSED_HEARTBEATS', type: 'integer', description: 'heartbeat intervals a device may miss before it is offline' },
  { key: 'clusterLeaseMs', flag: 'cluster-lease-ms', env: 'LLMIOT_CLUSTER_LEASE_MS', type: 'integer', description: 'several hubs (--mqtt-shared-group with a postgres:// store): ms an instance stays a member without renewing its lease; its Sparkplug nodes and LwM2M endpoints move to the others after it' },
  { key: 'commandTimeout', flag: 'command-timeout', env: 'LLMIOT_COMMAND_TIMEOUT', type: 'integer', description: 'default ms to wait for a device to answer a command' },
  { key: 'maxMessageBytes', flag: 'max-message-bytes', env: 'LLMIOT_MAX_MESSAGE_BYTES', type: 'integer', description: 'largest device or API message accepted, in bytes' },
  { key: 'telemetryBatchSize', flag: 'telemetry-batch-size', env: 'LLMIOT_TELEMETRY_BATCH_SIZE', type: 'integer', description: 'points per store transaction' },
  { key: 'telemetryFlushMs', flag: 'telemetry-flush-ms', env: 'LLMIOT_TELEMETRY_FLUSH_MS', type: 'integer', description: 'longest a point waits before it is written' },
  { key: 'telemetryMaxFutureMs', flag: 'telemetry-max-future-ms', env: 'LLMIOT_TELEMETRY_MAX_FUTURE_MS', type: 'integer', description: 'how far ahead of the hub clock a point may be; a later point is refused alone' },
  { key: 'telemetryMaxPending', flag: 'telemetry-max-pending', env: 'LLMIOT_TELEMETRY_MAX_PENDING', type: 'integer', description: 'points buffered before new telemetry is refused (OVERLOADED)' },
  // --- limits (docs/limits.md) ---
  { key: 'mqttConnectTimeoutMs', flag: 'mqtt-connect-timeout-ms', env: 'LLMIOT_MQTT_CONNECT_TIMEOUT_MS', type: 'integer', description: 'embedded broker: ms a connection may stay open without sending CONNECT' },
  { key: 'maxMqttConnections', flag: 'max-mqtt-connections', env: 'LLMIOT_MAX_MQTT_CONNECTIONS', type: 'integer', description: 'embedded broker: open MQTT connections over TCP and TLS; one more is closed at once' },
  { key: 'maxSubscriptionsPerClient', flag: 'max-subscriptions-per-client', env: 'LLMIOT_MAX_SUBSCRIPTIONS_PER_CLIENT', type: 'integer', description: 'embedded broker: topic filters one MQTT session may hold; more get SUBACK failure 0x80' },
  { key: 'maxRetainedMessages', flag: 'max-retained-messages', env: 'LLMIOT_MAX_RETAINED_MESSAGES', type: 'integer', description: 'embedded broker: retained messages kept; a PUBLISH retaining one more is refused' },
  { key: 'maxRetainedBytes', flag: 'max-retained-bytes', env: 'LLMIOT_MAX_RETAINED_BYTES', type: 'integer', description: 'embedded broker: bytes (topics and payloads) of retained messages kept' },
  { key: 'maxWsConnections', flag: 'max-ws-connections', env: 'LLMIOT_MAX_WS_CONNECTIONS', type: 'integer', description: 'open JSON-RPC WebSocket connections (/ws); more are answered HTTP 503' },
  { key: 'maxMqttWsConnections', flag: 'max-mqtt-ws-connections', env: 'LLMIOT_MAX_MQTT_WS_CONNECTIONS', type: 'integer', description: 'open MQTT-over-WebSocket connections (/mqtt); more are answered HTTP 503' },
  { key: 'maxLiveSubscriptions', flag: 'max-live-subscriptions', env: 'LLMIOT_MAX_LIVE_SUBSCRIPTIONS', type: 'integer', description: 'data.subscribe subscriptions one connection may hold (LIMIT_REACHED beyond)' },
  { key: 'maxDevices', flag: 'max-devices', env: 'LLMIOT_MAX_DEVICES', type: 'integer', description: 'devices the hub keeps, deregistered ones included; registering a new one beyond answers LIMIT_REACHED' },
  { key: 'httpHeadersTimeoutMs', flag: 'http-headers-timeout-ms', env: 'LLMIOT_HTTP_HEADERS_TIMEOUT_MS', type: 'integer', description: 'ms an HTTP client may take to send its request headers' },
  { key: 'httpRequestTimeoutMs', flag: 'http-request-timeout-ms', env: 'LLMIOT_HTTP_REQUEST_TIMEOUT_MS', type: 'integer', description: 'ms an HTTP client may take to send a whole request (headers and body)' },
  { key: 'httpKeepAliveTimeoutMs', flag: 'http-keep-alive-timeout-ms', env: 'LLMIOT_HTTP_KEEP_ALIVE_TIMEOUT_MS', type: 'integer', description: 'ms an idle keep-alive HTTP connection stays open' },
  // --- end limits ---
  { key: 'llmPolicy', flag: 'llm-policy', env: 'LLMIOT_LLM_POLICY', type: 'string', description: 'JSON file with the actuation policy for LLM-initiated actions and the safety envelopes for every device write (default: reads allowed, writes confirm-first, destructive denied, no envelope)' },
  { key: 'publicUrl', flag: 'public-url', env: 'LLMIOT_PUBLIC_URL', type: 'string', description: "the hub's address as people and MCP clients reach it (https://hub.example, an origin with no path), e.g. behind a TLS-terminating proxy: approval links, the OAuth issuer and its endpoints, the protected-resource metadata and the token audience name it; default: the address each request was made to" },
  // --- LLM provider ---
  { key: 'llmProvider', flag: 'llm-provider', env: 'LLMIOT_LLM_PROVIDER', type: 'string', description: 'LLM for llm.execute_command: anthropic, openai or openai-compatible (Ollama, llama.cpp, vLLM); unset = llm.execute_command answers LLM_NOT_CONFIGURED' },
  { key: 'llmModel', flag: 'llm-model', env: 'LLMIOT_LLM_MODEL', type: 'string', description: 'model id, e.g. claude-sonnet-4-5, gpt-4.1, qwen2.5 (default claude-sonnet-4-5 for anthropic, gpt-4.1 for openai; required for openai-compatible)' },
  { key: 'llmBaseUrl', flag: 'llm-base-url', env: 'LLMIOT_LLM_BASE_URL', type: 'string', description: 'API base URL; required for openai-compatible, e.g. http://127.0.0.1:11434/v1 (Ollama)' },
  { key: 'llmApiKey', flag: 'llm-api-key', env: 'LLMIOT_LLM_API_KEY', type: 'string', description: 'API key; when unset: ANTHROPIC_API_KEY (anthropic) or OPENAI_API_KEY (openai); optional for openai-compatible' },
  { key: 'llmMaxSteps', flag: 'llm-max-steps', env: 'LLMIOT_LLM_MAX_STEPS', type: 'integer', description: 'most model steps (calls) per llm.execute_command; also the ceiling of its max_steps' },
  { key: 'llmMaxRetries', flag: 'llm-max-retries', env: 'LLMIOT_LLM_MAX_RETRIES', type: 'integer', description: 'retries of a failed provider request (unreachable, 429, 5xx) before LLM_PROVIDER_ERROR' },
  { key: 'llmTimeoutMs', flag: 'llm-timeout-ms', env: 'LLMIOT_LLM_TIMEOUT_MS', type: 'integer', description: 'ms one model step (the provider answer and the tool calls it asks for) may take' },
  // --- end LLM provider ---
  // --- auth ---
  { key: 'auth', flag: 'auth', env: 'LLMIOT_AUTH', type: 'string', description: 'auto: API callers need a credential once one exists (llm-iot token create); required: always', choices: ['auto', 'required'] },
  { key: 'insecure', flag: 'insecure', env: 'LLMIOT_INSECURE', type: 'boolean', description: 'allow binding beyond loopback with no credentials: every caller is an admin (warned at every start)' },
  { key: 'sessionTtlMinutes', flag: 'session-ttl', env: 'LLMIOT_SESSION_TTL', type: 'integer', description: 'minutes a user\'s browser session lasts at most after login (POST /auth/login)' },
  { key: 'sessionIdleMinutes', flag: 'session-idle', env: 'LLMIOT_SESSION_IDLE', type: 'integer', description: 'minutes of inactivity after which a user\'s browser session ends' },
  { key: 'allowedHosts', flag: 'allowed-hosts', env: 'LLMIOT_ALLOWED_HOSTS', type: 'string', description: 'comma-separated Host names the API answers to besides loopback, this machine and the bound address (.example.com: every subdomain)' },
  { key: 'allowedOrigins', flag: 'allowed-origins', env: 'LLMIOT_ALLOWED_ORIGINS', type: 'string', description: 'comma-separated browser origins (https://dash.example.com) that may call the API cross-origin (CORS, WebSocket)' },
  { key: 'trustedProxy', flag: 'trusted-proxy', env: 'LLMIOT_TRUSTED_PROXY', type: 'string', description: 'comma-separated addresses or CIDRs of reverse proxies (127.0.0.1, 10.0.0.0/8): from them, the client address is the right-most X-Forwarded-For entry that is not a trusted proxy (login throttle, logs, audit); from any other peer the header is ignored' },
  { key: 'metricsPublic', flag: 'metrics-public', env: 'LLMIOT_METRICS_PUBLIC', type: 'boolean', description: 'serve /metrics without credentials when auth is on (a Prometheus on a trusted network)' },
  { key: 'authIssuer', flag: 'auth-issuer', env: 'LLMIOT_AUTH_ISSUER', type: 'string', description: "OpenID Connect issuer URL whose access tokens (JWTs) /mcp accepts (and /rpc, /ws, /export, /metrics with --auth-api-audience); turns auth on; needs --auth-audience" },
  { key: 'authAudience', flag: 'auth-audience', env: 'LLMIOT_AUTH_AUDIENCE', type: 'string', description: "audience a token must name to be accepted on /mcp: this hub's /mcp URL (https://hub.example.com/mcp, RFC 8707); comma-separated for several" },
  { key: 'authApiAudience', flag: 'auth-api-audience', env: 'LLMIOT_AUTH_API_AUDIENCE', type: 'string', description: 'audience a token of --auth-issuer must name to be accepted on /rpc, /ws, /export and /metrics (https://hub.example.com/rpc); comma-separated for several; unset: those take no token of the issuer' },
  { key: 'authRoleClaim', flag: 'auth-role-claim', env: 'LLMIOT_AUTH_ROLE_CLAIM', type: 'string', description: 'token claim holding viewer, operator or admin (a dotted path reaches nested claims: realm_access.roles); the scopes iot:read/iot:write/iot:admin count too, the highest wins' },
  { key: 'authJwksUrl', flag: 'auth-jwks-url', env: 'LLMIOT_AUTH_JWKS_URL', type: 'string', description: "the issuer's JWKS URL; default the jwks_uri of its /.well-known/openid-configuration" },
  { key: 'oauthServer', flag: 'oauth-server', env: 'LLMIOT_OAUTH_SERVER', type: 'string', description: 'on: the built-in OAuth 2.1 authorization server (/oauth, /.well-known/oauth-authorization-server) lets MCP clients that only speak OAuth log in as a hub user; off: not served', choices: ['on', 'off'] },
  { key: 'oauthTokenTtl', flag: 'oauth-token-ttl', env: 'LLMIOT_OAUTH_TOKEN_TTL', type: 'integer', description: 'seconds an access token of the built-in authorization server lasts (clients refresh it)' },
  { key: 'oauthRefreshTtlDays', flag: 'oauth-refresh-ttl', env: 'LLMIOT_OAUTH_REFRESH_TTL', type: 'integer', description: "days a refresh token of the built-in authorization server (and a user's consent) lasts" },
  // --- end auth ---
  { key: 'logLevel', flag: 'log-level', env: 'LLMIOT_LOG_LEVEL', type: 'string', description: 'fatal, error, warn, info, debug, trace or silent', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  { key: 'logFormat', flag: 'log-format', env: 'LLMIOT_LOG_FORMAT', type: 'string', description: 'json (one object a line) or pretty (readable); default pretty when stdout is a terminal, json otherwise', choices: ['json', 'pretty'] },
];
