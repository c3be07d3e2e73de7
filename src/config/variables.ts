/**
 * Every variable the gateway reads: its kind, default, range and meaning. The parsers read defaults and
 * ranges from here (primitives.ts: intVar, boolVar, numberVar, textVar), the README's table is this table
 * printed (readmeRow; test/readme.test.ts compares), and test/config/variables.test.ts holds each documented
 * default and range to what loadConfig does.
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

interface Documented {
  readonly name: string;
  /** What it does, for README; `{range}` is where "(min–max)" goes. */
  readonly meaning: string;
}

/**
 * `default` is the value used when the variable is unset, or, written as a sentence, what the code decides
 * then (it depends on other settings): the code passes that value itself.
 */
export type Variable = Documented &
  (
    | { readonly kind: "int"; readonly default: number | string; readonly min: number; readonly max: number }
    | { readonly kind: "number"; readonly default: number; readonly min: number; readonly max: number }
    | { readonly kind: "bool"; readonly default: boolean | string }
    /** A string whose default is the value itself, checked by its own parser if it has a form. */
    | { readonly kind: "text"; readonly default: string }
    /** Read by its own parser; `default` says what being unset means. */
    | { readonly kind: "custom"; readonly default: string }
  );

export const CONFIG_VARIABLES = [
  {
    name: "PORT",
    kind: "int",
    default: 4000,
    min: 0,
    max: 65535,
    meaning: "HTTP port of the gateway {range}; 0 = any free port",
  },
  { name: "HOST", kind: "text", default: "127.0.0.1", meaning: "interface the gateway listens on" },
  { name: "LOG_LEVEL", kind: "text", default: "info", meaning: `pino level: ${LOG_LEVELS.join(", ")}` },
  {
    name: "LOG_FORMAT",
    kind: "text",
    default: "auto",
    meaning: "`pretty`, `json`, or `auto` = pretty on a terminal with the embedded emulator, JSON elsewhere",
  },
  {
    name: "GRAPHIQL",
    kind: "bool",
    default: "true (embedded), false otherwise",
    meaning: "serve GraphiQL at /graphql (development mode fills in its token and example tabs)",
  },
  {
    name: "LIVE_PAGE",
    kind: "bool",
    default: "true (embedded), false otherwise",
    meaning: "serve the live status page at /live (and redirect / to it)",
  },
  {
    name: "IVS_ENDPOINT",
    kind: "text",
    default: "embedded",
    meaning:
      "`embedded` = in-process emulator, `aws` = real IVS (default credential chain), or an http(s) URL (e.g. a standalone emulator)",
  },
  { name: "IVS_REGION", kind: "custom", default: "—", meaning: "IVS region; wins over AWS_REGION" },
  {
    name: "AWS_REGION",
    kind: "custom",
    default: "us-west-2 (embedded, URL); from the profile (aws)",
    meaning: "IVS region when IVS_REGION is unset",
  },
  {
    name: "AWS_ACCESS_KEY_ID",
    kind: "custom",
    default: "—",
    meaning: "static credentials; needs AWS_SECRET_ACCESS_KEY",
  },
  {
    name: "AWS_SECRET_ACCESS_KEY",
    kind: "custom",
    default: "—",
    meaning: "static credentials; needs AWS_ACCESS_KEY_ID",
  },
  {
    name: "AWS_SESSION_TOKEN",
    kind: "custom",
    default: "—",
    meaning: "session token of temporary static credentials",
  },
  {
    name: "AWS_PROFILE",
    kind: "custom",
    default: "—",
    meaning: "named profile from ~/.aws/config and ~/.aws/credentials",
  },
  {
    name: "IVS_ANONYMOUS",
    kind: "bool",
    default: false,
    meaning: "send unsigned requests (emulators, proxies that sign themselves)",
  },
  {
    name: "IVS_CONNECT_TIMEOUT_MS",
    kind: "int",
    default: 3000,
    min: 0,
    max: 600000,
    meaning: "TCP/TLS connect timeout {range}; 0 = none",
  },
  {
    name: "IVS_REQUEST_TIMEOUT_MS",
    kind: "int",
    default: 10000,
    min: 0,
    max: 3600000,
    meaning: "time limit of each attempt, send to response {range}; 0 = none",
  },
  {
    name: "IVS_MAX_ATTEMPTS",
    kind: "int",
    default: 3,
    min: 1,
    max: 10,
    meaning: "attempts per IVS call including retries {range}",
  },
  {
    name: "IVS_KEEP_ALIVE",
    kind: "bool",
    default: true,
    meaning: "reuse connections; false closes each after its request",
  },
  {
    name: "EMULATOR_PORT",
    kind: "int",
    default: "4001, or any free port when 4001 is taken",
    min: 0,
    max: 65535,
    meaning: "port of the embedded emulator {range}; 0 = any free port, a set port that is taken is an error",
  },
  {
    name: "SEED_DEMO_DATA",
    kind: "bool",
    default: "true (embedded)",
    meaning: "create demo resources in the embedded emulator (refused for other backends)",
  },
  {
    name: "DEMO_BROADCASTS",
    kind: "bool",
    default: "SEED_DEMO_DATA",
    meaning:
      "the embedded emulator starts, starves and ends broadcasts on the demo channels on a schedule (refused for other backends)",
  },
  {
    name: "REDIS_URL",
    kind: "custom",
    default: "—",
    meaning:
      "redis:// or rediss:// URL; shares the mirror, the request budget and live events among replicas, keeps the mirror across restarts, enables replay",
  },
  {
    name: "REDIS_TIMEOUT_MS",
    kind: "int",
    default: 1000,
    min: 100,
    max: 60000,
    meaning:
      "connect and command timeout of Redis calls {range}; past it reads fall back to this replica's memory",
  },
  {
    name: "REDIS_KEY_PREFIX",
    kind: "text",
    default: "ivs-gateway:",
    meaning: "prefix of every Redis key the gateway writes",
  },
  {
    name: "EVENTS_API_KEY",
    kind: "custom",
    default: "— (embedded: generated)",
    meaning: "key EventBridge sends to POST /events (16+ characters); unset = ingest off",
  },
  {
    name: "EVENTS_API_KEY_HEADER",
    kind: "text",
    default: "x-api-key",
    meaning: "header that carries EVENTS_API_KEY",
  },
  {
    name: "RECONCILE_INTERVAL_MS",
    kind: "int",
    default: 30000,
    min: 1000,
    max: 3600000,
    meaning: "how often live status is checked against ListStreams {range}",
  },
  {
    name: "EVENT_REPLAY_RETENTION_MS",
    kind: "int",
    default: 3600000,
    min: 1000,
    max: 604800000,
    meaning: "how far back a reconnecting subscriber can resume with lastEventId {range}, with Redis",
  },
  {
    name: "EVENT_CLOCK_SKEW_MS",
    kind: "int",
    default: 300000,
    min: 1000,
    max: 3600000,
    meaning: "events dated further ahead of this clock are relayed but cannot change live status {range}",
  },
  {
    name: "EVENT_MAX_AGE_MS",
    kind: "int",
    default: 86400000,
    min: 60000,
    max: 604800000,
    meaning: "events dated further back than this are relayed but cannot change live status {range}",
  },
  {
    name: "EVENT_LOG_MAX_BYTES",
    kind: "int",
    default: 67108864,
    min: 1048576,
    max: 4294967296,
    meaning: "bytes of events the in-process event log keeps {range}; the oldest go first",
  },
  {
    name: "AUTH_JWT_SECRET",
    kind: "custom",
    default: "—",
    meaning:
      "HS256/384/512 shared secret (32+ bytes) verifying bearer JWTs; needs AUTH_ISSUER and AUTH_AUDIENCE",
  },
  {
    name: "AUTH_JWKS_URL",
    kind: "custom",
    default: "—",
    meaning: "https URL of the identity provider's JWKS (RS/PS/ES/EdDSA tokens); instead of AUTH_JWT_SECRET",
  },
  { name: "AUTH_ISSUER", kind: "custom", default: "—", meaning: "required `iss` of bearer JWTs" },
  { name: "AUTH_AUDIENCE", kind: "custom", default: "—", meaning: "required `aud` of bearer JWTs" },
  {
    name: "AUTH_API_KEYS",
    kind: "custom",
    default: "—",
    meaning:
      'JSON array of API keys by SHA-256: [{"id","sha256","scope":"ivs:read …","tenant"?}]; sent as x-api-key',
  },
  {
    name: "AUTH_DISABLED",
    kind: "bool",
    default: false,
    meaning:
      "true lets every caller in with every scope (logs a warning); refused with other AUTH_* settings",
  },
  {
    name: "TENANT_TAG_KEY",
    kind: "text",
    default: "tenant",
    meaning: "channel tag whose value names the channel's tenant",
  },
  {
    name: "TENANT_CLAIM",
    kind: "custom",
    default: "— (tenancy off)",
    meaning: "JWT claim naming the caller's tenant; callers without it need ivs:admin",
  },
  {
    name: "MAX_DEPTH",
    kind: "int",
    default: 6,
    min: 1,
    max: 50,
    meaning:
      "deepest field nesting of an operation {range}, GraphQL Armor; fragments add no level, so Relay's nested fragments are counted by their fields",
  },
  {
    name: "MAX_COST",
    kind: "int",
    default: 5000,
    min: 1,
    max: 10000000,
    meaning: "largest operation cost: fields × requested page sizes {range}, Pothos complexity",
  },
  {
    name: "MAX_ALIASES",
    kind: "int",
    default: 15,
    min: 0,
    max: 1000,
    meaning: "most aliases in an operation {range}, GraphQL Armor",
  },
  {
    name: "MAX_TOKENS",
    kind: "int",
    default: 1000,
    min: 10,
    max: 100000,
    meaning: "most lexical tokens in a document {range}, GraphQL Armor",
  },
  {
    name: "MAX_BODY_BYTES",
    kind: "int",
    default: 65536,
    min: 1024,
    max: 10485760,
    meaning: "largest HTTP request body and WebSocket message {range}: 413, or the socket closed, beyond it",
  },
  {
    name: "RATE_LIMIT_PER_MINUTE",
    kind: "int",
    default: 600,
    min: 0,
    max: 1000000,
    meaning: "GraphQL operations per principal per minute {range}, shared through Redis when set; 0 = off",
  },
  {
    name: "MAX_SUBSCRIPTIONS_PER_PRINCIPAL",
    kind: "int",
    default: 500,
    min: 1,
    max: 1000000,
    meaning: "subscriptions one principal may hold open on one replica, graphql-ws and SSE together {range}",
  },
  {
    name: "MAX_CONNECTIONS_PER_PRINCIPAL",
    kind: "int",
    default: 100,
    min: 1,
    max: 1000000,
    meaning: "graphql-ws sockets and SSE streams one principal may hold open on one replica {range}",
  },
  {
    name: "CORS_ORIGINS",
    kind: "custom",
    default: "loopback origins in development mode, none otherwise",
    meaning:
      "comma-separated origins allowed to call from a browser (`https://app.example.com`, `http://localhost:*`), or `*`",
  },
  {
    name: "CORS_CREDENTIALS",
    kind: "bool",
    default: false,
    meaning: "send `Access-Control-Allow-Credentials` to allowed origins (not with `CORS_ORIGINS=*`)",
  },
  {
    name: "INTROSPECTION",
    kind: "bool",
    default: "true (embedded), false (otherwise)",
    meaning: "answer __schema/__type queries (GraphiQL needs them)",
  },
  {
    name: "FIELD_SUGGESTIONS",
    kind: "bool",
    default: "true in development mode (embedded, no AUTH_*), false otherwise",
    meaning: '"Did you mean …?" in validation errors (they reveal field names)',
  },
  {
    name: "CSRF_PREVENTION",
    kind: "bool",
    default: "true with AUTH_DISABLED, false otherwise",
    meaning:
      "require a JSON content type or the `x-graphql-yoga-csrf` header; set true behind a proxy that authenticates by cookie ([docs/security.md](docs/security.md))",
  },
  {
    name: "PLAYBACK_PRIVATE_KEY",
    kind: "custom",
    default: "—",
    meaning: "PEM ECDSA P-384 private key signing playback tokens (createPlaybackToken); \\n escapes allowed",
  },
  {
    name: "PLAYBACK_PRIVATE_KEY_FILE",
    kind: "custom",
    default: "—",
    meaning: "file holding that PEM key; instead of PLAYBACK_PRIVATE_KEY",
  },
  {
    name: "OTEL_TRACES_EXPORTER",
    kind: "text",
    default: "none",
    meaning: "`otlp` exports traces over OTLP/HTTP, `console` prints them, `none` turns tracing off",
  },
  {
    name: "OTEL_EXPORTER_OTLP_ENDPOINT",
    kind: "text",
    default: "http://localhost:4318",
    meaning: "OTLP/HTTP base URL; traces go to <url>/v1/traces",
  },
  {
    name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    kind: "custom",
    default: "—",
    meaning: "full OTLP/HTTP traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT",
  },
  {
    name: "OTEL_EXPORTER_OTLP_HEADERS",
    kind: "custom",
    default: "—",
    meaning: "k=v,k2=v2 headers sent with each export (a secret)",
  },
  { name: "OTEL_SERVICE_NAME", kind: "text", default: "ivs-gateway", meaning: "service.name of every span" },
  {
    name: "OTEL_TRACES_SAMPLER",
    kind: "text",
    default: "parentbased_always_on",
    meaning: `one of ${TRACE_SAMPLERS.join(", ")}`,
  },
  {
    name: "OTEL_TRACES_SAMPLER_ARG",
    kind: "number",
    default: 1,
    min: 0,
    max: 1,
    meaning: "ratio {range} of the traceidratio samplers",
  },
  {
    name: "TRUSTED_DOCUMENTS",
    kind: "custom",
    default: "—",
    meaning:
      "manifest of persisted operations (hash → document: relay-compiler, GraphQL Codegen or Apollo format); clients may send the hash alone",
  },
  {
    name: "TRUSTED_DOCUMENTS_ONLY",
    kind: "bool",
    default: false,
    meaning: "refuse every document that is not in TRUSTED_DOCUMENTS (needs it)",
  },
  {
    name: "DRAIN_TIMEOUT_MS",
    kind: "int",
    default: 10000,
    min: 0,
    max: 300000,
    meaning:
      "on SIGTERM, how long in-flight requests may finish before the rest is closed {range}; subscribers are told to reconnect at once",
  },
  {
    name: "IDEMPOTENCY_TTL_MS",
    kind: "int",
    default: 86400000,
    min: 60000,
    max: 604800000,
    meaning:
      "how long a mutation's `Idempotency-Key` keeps its first result for replay {range}, in Redis when set",
  },
  {
    name: "AUDIT_MAX_RECORDS",
    kind: "int",
    default: 50000,
    min: 100,
    max: 10000000,
    meaning: "audit records kept for `auditEvents` {range}: a capped Redis stream, or this process's memory",
  },
  {
    name: "JOB_RETENTION_MS",
    kind: "int",
    default: 86400000,
    min: 60000,
    max: 604800000,
    meaning: "how long a finished bulk job and its per-item results stay readable {range}",
  },
  {
    name: "JOB_LEASE_MS",
    kind: "int",
    default: 10000,
    min: 1000,
    max: 600000,
    meaning:
      "how long a replica holds a running bulk job without renewing its lease; a replica that dies leaves its jobs to another after this {range}",
  },
  {
    name: "IVS_BUDGET_SHARE",
    kind: "number",
    default: 0.8,
    min: 0.1,
    max: 1,
    meaning: "share of each IVS request quota the gateway uses, so jitter never reaches IVS's limit {range}",
  },
  {
    name: "IVS_RATES",
    kind: "custom",
    default: "— (IVS's published quotas)",
    meaning: 'JSON object overriding quotas in requests per second, e.g. {"GetStream": 10}',
  },
  {
    name: "IVS_QUEUE_DEADLINE_MS",
    kind: "int",
    default: 10000,
    min: 100,
    max: 600000,
    meaning:
      "how long one operation's IVS calls may wait for budget and 429 retries before THROTTLED {range}",
  },
  {
    name: "MIRROR_RESYNC_INTERVAL_MS",
    kind: "int",
    default: 300000,
    min: 1000,
    max: 86400000,
    meaning:
      "how often the mirror lists channels (with their details) and configurations again, repairing what events missed {range}",
  },
  {
    name: "MIRROR_CHANNEL_RESYNC_INTERVAL_MS",
    kind: "int",
    default: 3600000,
    min: 1000,
    max: 604800000,
    meaning:
      "how often each channel's key list and session list are taken again, spread over the period {range}",
  },
  {
    name: "MIRROR_SECRET_KEY",
    kind: "custom",
    default: "—",
    meaning:
      "base64 32-byte key sealing the secrets the mirror and idempotency keys keep in Redis (AES-256-GCM); unset = secrets stay in each process",
  },
  {
    name: "COALESCE_WINDOW_MS",
    kind: "int",
    default: 20,
    min: 0,
    max: 1000,
    meaning:
      "how long a lookup of something the mirror lacks waits for other requests' ARNs {range}, to ask for all in one BatchGetChannel/BatchGetStreamKey",
  },
] as const satisfies readonly Variable[];

/** The variable's row in README's configuration table. */
export function readmeRow(variable: Variable): string {
  const range = "min" in variable ? `(${variable.min}–${variable.max})` : "";
  const meaning = variable.meaning.includes("{range}")
    ? variable.meaning.replace("{range}", range)
    : `${variable.meaning}${range ? ` ${range}` : ""}`;
  return `| ${variable.name} | ${String(variable.default)} | ${meaning} |`;
}
