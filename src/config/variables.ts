/**
 * Every variable the gateway reads, with its default and meaning: the README's table is checked against
 * this list (test/readme.test.ts), and test/gateway/config.test.ts checks that each documented default and
 * range is what loadConfig (gateway.ts) does.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const TRACE_SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

/** Port of the embedded emulator when EMULATOR_PORT is unset and the port is free. */
export const DEFAULT_EMULATOR_PORT = 4001;

/** Region of the embedded emulator and of an explicit endpoint when none is set (the emulator's own default). */
export const DEFAULT_REGION = "us-west-2";

export const CONFIG_VARIABLES: readonly { name: string; default: string; meaning: string }[] = [
  { name: "PORT", default: "4000", meaning: "HTTP port of the gateway (0 = any free port)" },
  { name: "HOST", default: "127.0.0.1", meaning: "interface the gateway listens on" },
  { name: "LOG_LEVEL", default: "info", meaning: `pino level: ${LOG_LEVELS.join(", ")}` },
  {
    name: "LOG_FORMAT",
    default: "auto",
    meaning: "`pretty`, `json`, or `auto` = pretty on a terminal with the embedded emulator, JSON elsewhere",
  },
  {
    name: "GRAPHIQL",
    default: "true (embedded), false otherwise",
    meaning: "serve GraphiQL at /graphql (development mode fills in its token and example tabs)",
  },
  {
    name: "LIVE_PAGE",
    default: "true (embedded), false otherwise",
    meaning: "serve the live status page at /live",
  },
  {
    name: "IVS_ENDPOINT",
    default: "embedded",
    meaning:
      "`embedded` = in-process emulator, `aws` = real IVS, or an http(s) URL (e.g. a standalone emulator)",
  },
  { name: "IVS_REGION", default: "—", meaning: "IVS region; wins over AWS_REGION" },
  {
    name: "AWS_REGION",
    default: "us-west-2 (embedded, URL); from the profile (aws)",
    meaning: "IVS region when IVS_REGION is unset",
  },
  { name: "AWS_ACCESS_KEY_ID", default: "—", meaning: "static credentials; needs AWS_SECRET_ACCESS_KEY" },
  { name: "AWS_SECRET_ACCESS_KEY", default: "—", meaning: "static credentials; needs AWS_ACCESS_KEY_ID" },
  { name: "AWS_SESSION_TOKEN", default: "—", meaning: "session token of temporary static credentials" },
  { name: "AWS_PROFILE", default: "—", meaning: "named profile from ~/.aws/config and ~/.aws/credentials" },
  {
    name: "IVS_ANONYMOUS",
    default: "false",
    meaning: "send unsigned requests (emulators, proxies that sign themselves)",
  },
  { name: "IVS_CONNECT_TIMEOUT_MS", default: "3000", meaning: "TCP/TLS connect timeout (0 = none)" },
  {
    name: "IVS_REQUEST_TIMEOUT_MS",
    default: "10000",
    meaning: "time limit of each attempt, send to response (0 = none)",
  },
  { name: "IVS_MAX_ATTEMPTS", default: "3", meaning: "attempts per IVS call including retries (1–10)" },
  {
    name: "IVS_KEEP_ALIVE",
    default: "true",
    meaning: "reuse connections; false closes each after its request",
  },
  {
    name: "EMULATOR_PORT",
    default: "4001, or any free port when 4001 is taken",
    meaning: "port of the embedded emulator (0 = any free port; a set port that is taken is an error)",
  },
  {
    name: "SEED_DEMO_DATA",
    default: "true (embedded)",
    meaning: "create demo resources in the embedded emulator",
  },
  {
    name: "DEMO_BROADCASTS",
    default: "SEED_DEMO_DATA",
    meaning: "the embedded emulator starts, starves and ends broadcasts on the demo channels on a schedule",
  },
  {
    name: "REDIS_URL",
    default: "—",
    meaning:
      "redis:// or rediss:// URL; shares the mirror, the request budget and live events among replicas, keeps the mirror across restarts, enables replay",
  },
  {
    name: "REDIS_TIMEOUT_MS",
    default: "1000",
    meaning:
      "connect and command timeout of Redis calls (100–60000); past it reads fall back to this replica's memory",
  },
  {
    name: "REDIS_KEY_PREFIX",
    default: "ivs-gateway:",
    meaning: "prefix of every Redis key the gateway writes",
  },
  {
    name: "EVENTS_API_KEY",
    default: "— (embedded: generated)",
    meaning: "key EventBridge sends to POST /events (16+ characters); unset = ingest off",
  },
  { name: "EVENTS_API_KEY_HEADER", default: "x-api-key", meaning: "header that carries EVENTS_API_KEY" },
  {
    name: "RECONCILE_INTERVAL_MS",
    default: "30000",
    meaning: "how often live status is checked against ListStreams (1000–3600000)",
  },
  {
    name: "EVENT_REPLAY_RETENTION_MS",
    default: "3600000",
    meaning: "how far back a reconnecting subscriber can resume with lastEventId (Redis)",
  },
  {
    name: "EVENT_CLOCK_SKEW_MS",
    default: "300000",
    meaning:
      "events dated further ahead of this clock are relayed but cannot change live status (1000–3600000)",
  },
  {
    name: "EVENT_MAX_AGE_MS",
    default: "86400000",
    meaning:
      "events dated further back than this are relayed but cannot change live status (60000–604800000)",
  },
  {
    name: "EVENT_LOG_MAX_BYTES",
    default: "67108864",
    meaning: "bytes of events the in-process event log keeps (1048576–4294967296); the oldest go first",
  },
  {
    name: "AUTH_JWT_SECRET",
    default: "—",
    meaning:
      "HS256/384/512 shared secret (32+ bytes) verifying bearer JWTs; needs AUTH_ISSUER and AUTH_AUDIENCE",
  },
  {
    name: "AUTH_JWKS_URL",
    default: "—",
    meaning: "https URL of the identity provider's JWKS (RS/PS/ES/EdDSA tokens); instead of AUTH_JWT_SECRET",
  },
  { name: "AUTH_ISSUER", default: "—", meaning: "required `iss` of bearer JWTs" },
  { name: "AUTH_AUDIENCE", default: "—", meaning: "required `aud` of bearer JWTs" },
  {
    name: "AUTH_API_KEYS",
    default: "—",
    meaning:
      'JSON array of API keys by SHA-256: [{"id","sha256","scope":"ivs:read …","tenant"?}]; sent as x-api-key',
  },
  {
    name: "AUTH_DISABLED",
    default: "false",
    meaning:
      "true lets every caller in with every scope (logs a warning); refused with other AUTH_* settings",
  },
  {
    name: "TENANT_TAG_KEY",
    default: "tenant",
    meaning: "channel tag whose value names the channel's tenant",
  },
  {
    name: "TENANT_CLAIM",
    default: "— (tenancy off)",
    meaning: "JWT claim naming the caller's tenant; callers without it need ivs:admin",
  },
  { name: "MAX_DEPTH", default: "6", meaning: "deepest field nesting of an operation (GraphQL Armor)" },
  {
    name: "MAX_COST",
    default: "5000",
    meaning: "largest operation cost: fields × requested page sizes (Pothos complexity)",
  },
  { name: "MAX_ALIASES", default: "15", meaning: "most aliases in an operation (GraphQL Armor)" },
  { name: "MAX_TOKENS", default: "1000", meaning: "most lexical tokens in a document (GraphQL Armor)" },
  {
    name: "MAX_BODY_BYTES",
    default: "65536",
    meaning: "largest HTTP request body and WebSocket message (413 / socket closed beyond)",
  },
  {
    name: "RATE_LIMIT_PER_MINUTE",
    default: "600",
    meaning: "GraphQL operations per principal per minute, shared through Redis when set (0 = off)",
  },
  {
    name: "MAX_SUBSCRIPTIONS_PER_PRINCIPAL",
    default: "500",
    meaning:
      "subscriptions one principal may hold open on one replica, graphql-ws and SSE together (1–1000000)",
  },
  {
    name: "MAX_CONNECTIONS_PER_PRINCIPAL",
    default: "100",
    meaning: "graphql-ws sockets and SSE streams one principal may hold open on one replica (1–1000000)",
  },
  {
    name: "CORS_ORIGINS",
    default: "loopback origins in development mode, none otherwise",
    meaning:
      "comma-separated origins allowed to call from a browser (https://app.example.com, http://localhost:*), or *",
  },
  {
    name: "CORS_CREDENTIALS",
    default: "false",
    meaning: "send Access-Control-Allow-Credentials to allowed origins (not with CORS_ORIGINS=*)",
  },
  {
    name: "INTROSPECTION",
    default: "true (embedded), false (otherwise)",
    meaning: "answer __schema/__type queries (GraphiQL needs them)",
  },
  {
    name: "FIELD_SUGGESTIONS",
    default: "true in development mode (embedded, no AUTH_*), false otherwise",
    meaning: '"Did you mean …?" in validation errors (they reveal field names)',
  },
  {
    name: "CSRF_PREVENTION",
    default: "true with AUTH_DISABLED, false otherwise",
    meaning:
      "require a JSON content type or the x-graphql-yoga-csrf header; set true behind a proxy that authenticates by cookie",
  },
  {
    name: "PLAYBACK_PRIVATE_KEY",
    default: "—",
    meaning: "PEM ECDSA P-384 private key signing playback tokens (createPlaybackToken); \\n escapes allowed",
  },
  {
    name: "PLAYBACK_PRIVATE_KEY_FILE",
    default: "—",
    meaning: "file holding that PEM key; instead of PLAYBACK_PRIVATE_KEY",
  },
  {
    name: "OTEL_TRACES_EXPORTER",
    default: "none",
    meaning: "`otlp` exports traces over OTLP/HTTP, `console` prints them, `none` turns tracing off",
  },
  {
    name: "OTEL_EXPORTER_OTLP_ENDPOINT",
    default: "http://localhost:4318",
    meaning: "OTLP/HTTP base URL; traces go to <url>/v1/traces",
  },
  {
    name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    default: "—",
    meaning: "full OTLP/HTTP traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT",
  },
  {
    name: "OTEL_EXPORTER_OTLP_HEADERS",
    default: "—",
    meaning: "k=v,k2=v2 headers sent with each export (a secret)",
  },
  { name: "OTEL_SERVICE_NAME", default: "ivs-gateway", meaning: "service.name of every span" },
  {
    name: "OTEL_TRACES_SAMPLER",
    default: "parentbased_always_on",
    meaning: `one of ${TRACE_SAMPLERS.join(", ")}`,
  },
  { name: "OTEL_TRACES_SAMPLER_ARG", default: "1", meaning: "ratio (0–1) of the traceidratio samplers" },
  {
    name: "TRUSTED_DOCUMENTS",
    default: "—",
    meaning:
      "manifest of persisted operations (hash → document: relay-compiler, GraphQL Codegen or Apollo format); clients may send the hash alone",
  },
  {
    name: "TRUSTED_DOCUMENTS_ONLY",
    default: "false",
    meaning: "refuse every document that is not in TRUSTED_DOCUMENTS (needs it)",
  },
  {
    name: "DRAIN_TIMEOUT_MS",
    default: "10000",
    meaning:
      "on SIGTERM, how long in-flight requests may finish before the rest is closed (0–300000); subscribers are told to reconnect at once",
  },
  {
    name: "IDEMPOTENCY_TTL_MS",
    default: "86400000",
    meaning:
      "how long a mutation's Idempotency-Key keeps its first result for replay (60000–604800000; Redis when set)",
  },
  {
    name: "AUDIT_MAX_RECORDS",
    default: "50000",
    meaning:
      "audit records kept for auditEvents (100–10000000): a capped Redis stream, or this process's memory",
  },
  {
    name: "JOB_RETENTION_MS",
    default: "86400000",
    meaning: "how long a finished bulk job and its per-item results stay readable (60000–604800000)",
  },
  {
    name: "IVS_BUDGET_SHARE",
    default: "0.8",
    meaning: "share of each IVS request quota the gateway uses, so jitter never reaches IVS's limit (0.1–1)",
  },
  {
    name: "IVS_RATES",
    default: "— (IVS's published quotas)",
    meaning: 'JSON object overriding quotas in requests per second, e.g. {"GetStream": 10}',
  },
  {
    name: "IVS_QUEUE_DEADLINE_MS",
    default: "10000",
    meaning: "how long one operation's IVS calls may wait for budget and 429 retries before THROTTLED",
  },
  {
    name: "MIRROR_RESYNC_INTERVAL_MS",
    default: "300000",
    meaning:
      "how often the mirror lists channels (with their details) and configurations again, repairing what events missed (1000–86400000)",
  },
  {
    name: "MIRROR_CHANNEL_RESYNC_INTERVAL_MS",
    default: "3600000",
    meaning:
      "how often each channel's key list and session list are taken again, spread over the period (1000–604800000)",
  },
  {
    name: "MIRROR_SECRET_KEY",
    default: "—",
    meaning:
      "base64 32-byte key sealing the secrets the mirror and idempotency keys keep in Redis (AES-256-GCM); unset = secrets stay in each process",
  },
  {
    name: "COALESCE_WINDOW_MS",
    default: "20",
    meaning:
      "how long a lookup of something the mirror lacks waits for other requests' ARNs (BatchGetChannel/BatchGetStreamKey)",
  },
];
