/**
 * The gateway's whole configuration, read once from an environment object and validated before anything
 * starts. Only src/main.ts passes `process.env`; tests pass plain objects.
 */

import {
  type AuthConfig,
  describeAuth,
  type LimitsConfig,
  type PlaybackConfig,
  parseAuthConfig,
  parseLimitsConfig,
  parsePlaybackConfig,
} from "../auth/config.ts";
import { type BudgetConfig, type MirrorConfig, parseBudgetConfig, parseMirrorConfig } from "../ivs/config.ts";

import { boolVar, ConfigError, type Env, intVar, numberVar, redactUrl, textVar } from "./primitives.ts";
import {
  DEFAULT_EMULATOR_PORT,
  DEFAULT_REGION,
  LOG_LEVELS,
  type LogLevel,
  TRACE_SAMPLERS,
} from "./variables.ts";

/** Where IVS calls go: the in-process emulator, real AWS, or an explicit endpoint such as a standalone emulator. */
export type IvsBackend = "embedded" | "aws" | "endpoint";

/** How requests to IVS are signed. */
export type CredentialsConfig =
  | { kind: "static"; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: "profile"; profile: string }
  | { kind: "anonymous" }
  /** The SDK's default chain: environment, SSO, web identity, shared files, container and instance roles. */
  | { kind: "default" };

export interface IvsConfig {
  backend: IvsBackend;
  /** Set for the `endpoint` backend only; the embedded one learns its URL when the emulator starts. */
  endpoint?: string;
  /** Undefined only for `aws`, where the SDK resolves it from the profile's config file. */
  region?: string;
  credentials: CredentialsConfig;
  /** 0 means no limit. */
  connectTimeoutMs: number;
  /** 0 means no limit. */
  requestTimeoutMs: number;
  maxAttempts: number;
  keepAlive: boolean;
}

export interface EmbeddedEmulatorConfig {
  port: number;
  /** True when EMULATOR_PORT is unset: if the default port is taken, any free port will do. */
  portFallback: boolean;
  seedDemoData: boolean;
  /** The emulator starts, starves and ends broadcasts of the demo channels on a schedule. */
  demoBroadcasts: boolean;
}

/** What a person trying the gateway on their own machine gets; on by default with the embedded emulator. */
export interface DevelopmentConfig {
  /** Serve GraphiQL at /graphql (GRAPHIQL). */
  graphiql: boolean;
  /** Serve the live status page at /live (LIVE_PAGE). */
  livePage: boolean;
  /** LOG_FORMAT: `pretty` (human-readable), `json`, or `auto` (pretty on a terminal in development). */
  logFormat: "pretty" | "json" | "auto";
}

export interface EventsConfig {
  /** Key EventBridge must send to POST /events; unset = ingest off (embedded: a generated key). */
  apiKey?: string;
  /** Header that carries it. */
  apiKeyHeader: string;
  /** ListStreams reconciliation period of live status. */
  reconcileIntervalMs: number;
  /** How far back a reconnecting subscriber can resume (Redis only). */
  replayRetentionMs: number;
  /**
   * EVENT_CLOCK_SKEW_MS: an event dated further than this ahead of the receiving clock is relayed but cannot
   * move live state (IVS times are second-precision; clocks drift).
   */
  clockSkewMs: number;
  /**
   * EVENT_MAX_AGE_MS: an event dated further than this before the receiving clock is relayed but cannot move
   * live state (EventBridge retries for up to 24 h).
   */
  maxAgeMs: number;
  /** EVENT_LOG_MAX_BYTES: what the in-process event log may hold, in bytes of serialized entries. */
  logMaxBytes: number;
}

export interface GatewayConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  ivs: IvsConfig;
  /** Present only when the backend is `embedded`. */
  emulator?: EmbeddedEmulatorConfig;
  /** GraphiQL, the live page and log format. */
  development: DevelopmentConfig;
  events: EventsConfig;
  /** Shares live events (and later the request budget and cache) among replicas. */
  redisUrl?: string;
  /** Prefix of every Redis key this gateway writes. */
  redisKeyPrefix: string;
  /** REDIS_TIMEOUT_MS: connect and command timeout of every Redis call; past it the call fails (typed, retriable). */
  redisTimeoutMs: number;
  /** The request budget every IVS call takes from, per operation (shared through Redis when set). */
  budget: BudgetConfig;
  /** The mirror of the IVS account reads are answered from (shared through Redis when set). */
  mirror: MirrorConfig;
  /** Who may call the gateway (src/auth). */
  auth: AuthConfig;
  /** What one caller may cost: query shape, body size, rate. */
  limits: LimitsConfig;
  /** Signing key of playback tokens for private channels; absent = createPlaybackToken is off. */
  playback?: PlaybackConfig;
  /** The write path: idempotent retries, the audit trail, bulk jobs. */
  writes: WritesConfig;
  /** OpenTelemetry traces (the standard OTEL_* variables); off by default. */
  telemetry: TelemetryConfig;
  /** Trusted documents: operations sent by hash from a manifest, and whether others are refused. */
  documents: DocumentsConfig;
  /** How long a stopping gateway waits for in-flight requests before closing what is left (DRAIN_TIMEOUT_MS). */
  drainTimeoutMs: number;
}

export interface TelemetryConfig {
  /** OTEL_TRACES_EXPORTER: `none` (default), `otlp` (OTLP/HTTP protobuf or JSON to the endpoint), `console`. */
  exporter: "none" | "otlp" | "console";
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP_HEADERS (k=v,k2=v2): often an API key, so a secret. */
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME (default ivs-gateway). */
  serviceName: string;
  /** OTEL_TRACES_SAMPLER (default parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG (ratio, default 1). */
  sampler: (typeof TRACE_SAMPLERS)[number];
  samplerRatio: number;
}

export interface DocumentsConfig {
  /** TRUSTED_DOCUMENTS: path of a manifest (hash → document; relay-compiler, GraphQL Codegen or Apollo format). */
  manifestPath?: string;
  /** TRUSTED_DOCUMENTS_ONLY: refuse any document that is not in the manifest. */
  only: boolean;
}

export interface WritesConfig {
  /** How long an idempotency key's first result is kept and replayed (IDEMPOTENCY_TTL_MS). */
  idempotencyTtlMs: number;
  /** Audit records kept (AUDIT_MAX_RECORDS): a capped Redis stream, or this process's memory. */
  auditMaxRecords: number;
  /** How long a finished job's state and results are kept (JOB_RETENTION_MS). */
  jobRetentionMs: number;
  /** How long a replica holds a running job without renewing; a dead replica's jobs resume after it. */
  jobLeaseMs: number;
}

/**
 * Variables earlier versions read, and what replaced them: set, they would silently do nothing, so
 * they stop the gateway with the way forward instead.
 */
const REMOVED_VARIABLES: Record<string, string> = {
  CACHE_ENABLED: "reads come from a mirror of the account now (README, IVS quotas); remove it",
  CACHE_TTL_MS: "the mirror is kept true by events and MIRROR_RESYNC_INTERVAL_MS; remove it",
  CACHE_STALE_MS: "the mirror is kept true by events and MIRROR_RESYNC_INTERVAL_MS; remove it",
  CACHE_MAX_ENTRIES: "the mirror holds the whole account; remove it",
  CACHE_SECRET_KEY: "renamed MIRROR_SECRET_KEY",
  COALESCE_ENABLED: "lookups of what the mirror lacks are always shared; remove it",
};

/** Reads and validates the configuration; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env): GatewayConfig {
  const read = (name: string): string | undefined => {
    // An empty value (common in .env files and compose templates) means "unset".
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };

  for (const [name, instead] of Object.entries(REMOVED_VARIABLES))
    if (read(name) !== undefined) throw new ConfigError(name, `is no longer read: ${instead}`);

  const backendRaw = textVar("IVS_ENDPOINT", read("IVS_ENDPOINT"));
  const { backend, endpoint } = parseBackend(backendRaw);
  const embedded = backend === "embedded";

  const regionVar = read("IVS_REGION") !== undefined ? "IVS_REGION" : "AWS_REGION";
  const regionRaw = read(regionVar);
  const region =
    regionRaw === undefined
      ? backend === "aws"
        ? undefined
        : DEFAULT_REGION
      : parseRegion(regionVar, regionRaw);

  const ivs: IvsConfig = {
    backend,
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    credentials: parseCredentials(read, embedded),
    connectTimeoutMs: intVar("IVS_CONNECT_TIMEOUT_MS", read("IVS_CONNECT_TIMEOUT_MS")),
    requestTimeoutMs: intVar("IVS_REQUEST_TIMEOUT_MS", read("IVS_REQUEST_TIMEOUT_MS")),
    maxAttempts: intVar("IVS_MAX_ATTEMPTS", read("IVS_MAX_ATTEMPTS")),
    keepAlive: boolVar("IVS_KEEP_ALIVE", read("IVS_KEEP_ALIVE")),
  };

  const emulatorPort = read("EMULATOR_PORT");
  const seed = read("SEED_DEMO_DATA");
  const demoBroadcasts = read("DEMO_BROADCASTS");
  if (!embedded && emulatorPort !== undefined)
    throw new ConfigError(
      "EMULATOR_PORT",
      `only applies when IVS_ENDPOINT is embedded (it is ${backendRaw})`,
    );
  // Seeding creates resources; never let a stray variable do that against a real account.
  for (const [name, raw] of [
    ["SEED_DEMO_DATA", seed],
    ["DEMO_BROADCASTS", demoBroadcasts],
  ] as const)
    if (!embedded && boolVar(name, raw, false))
      throw new ConfigError(name, `only applies when IVS_ENDPOINT is embedded (it is ${backendRaw})`);

  const redisUrl = read("REDIS_URL");
  const auth = parseAuthConfig(
    {
      jwtSecret: read("AUTH_JWT_SECRET"),
      jwksUrl: read("AUTH_JWKS_URL"),
      issuer: read("AUTH_ISSUER"),
      audience: read("AUTH_AUDIENCE"),
      apiKeys: read("AUTH_API_KEYS"),
      disabled: read("AUTH_DISABLED"),
      tenantTagKey: read("TENANT_TAG_KEY"),
      tenantClaim: read("TENANT_CLAIM"),
    },
    embedded,
  );
  const config: GatewayConfig = {
    port: intVar("PORT", read("PORT")),
    host: parseHost(textVar("HOST", read("HOST"))),
    logLevel: parseLogLevel(textVar("LOG_LEVEL", read("LOG_LEVEL"))),
    ivs,
    events: parseEvents(read),
    redisKeyPrefix: parseKeyPrefix(textVar("REDIS_KEY_PREFIX", read("REDIS_KEY_PREFIX"))),
    redisTimeoutMs: intVar("REDIS_TIMEOUT_MS", read("REDIS_TIMEOUT_MS")),
    auth,
    development: {
      graphiql: boolVar("GRAPHIQL", read("GRAPHIQL"), embedded),
      livePage: boolVar("LIVE_PAGE", read("LIVE_PAGE"), embedded),
      logFormat: parseLogFormat(textVar("LOG_FORMAT", read("LOG_FORMAT"))),
    },
    limits: parseLimitsConfig(
      {
        maxDepth: read("MAX_DEPTH"),
        maxCost: read("MAX_COST"),
        maxAliases: read("MAX_ALIASES"),
        maxTokens: read("MAX_TOKENS"),
        maxBodyBytes: read("MAX_BODY_BYTES"),
        rateLimit: read("RATE_LIMIT_PER_MINUTE"),
        introspection: read("INTROSPECTION"),
        fieldSuggestions: read("FIELD_SUGGESTIONS"),
        csrfPrevention: read("CSRF_PREVENTION"),
        maxSubscriptions: read("MAX_SUBSCRIPTIONS_PER_PRINCIPAL"),
        maxConnections: read("MAX_CONNECTIONS_PER_PRINCIPAL"),
        corsOrigins: read("CORS_ORIGINS"),
        corsCredentials: read("CORS_CREDENTIALS"),
      },
      embedded,
      auth.mode,
    ),
    budget: parseBudgetConfig({
      share: read("IVS_BUDGET_SHARE"),
      rates: read("IVS_RATES"),
      deadlineMs: read("IVS_QUEUE_DEADLINE_MS"),
    }),
    mirror: parseMirrorConfig({
      resyncMs: read("MIRROR_RESYNC_INTERVAL_MS"),
      channelResyncMs: read("MIRROR_CHANNEL_RESYNC_INTERVAL_MS"),
      windowMs: read("COALESCE_WINDOW_MS"),
      secretKey: read("MIRROR_SECRET_KEY"),
    }),
    telemetry: parseTelemetry(read),
    documents: parseDocuments(read("TRUSTED_DOCUMENTS"), read("TRUSTED_DOCUMENTS_ONLY")),
    drainTimeoutMs: intVar("DRAIN_TIMEOUT_MS", read("DRAIN_TIMEOUT_MS")),
    writes: {
      idempotencyTtlMs: intVar("IDEMPOTENCY_TTL_MS", read("IDEMPOTENCY_TTL_MS")),
      auditMaxRecords: intVar("AUDIT_MAX_RECORDS", read("AUDIT_MAX_RECORDS")),
      jobRetentionMs: intVar("JOB_RETENTION_MS", read("JOB_RETENTION_MS")),
      jobLeaseMs: intVar("JOB_LEASE_MS", read("JOB_LEASE_MS")),
    },
  };
  if (embedded) {
    const seedDemoData = boolVar("SEED_DEMO_DATA", seed, true);
    config.emulator = {
      port: intVar("EMULATOR_PORT", emulatorPort, DEFAULT_EMULATOR_PORT),
      portFallback: emulatorPort === undefined,
      seedDemoData,
      demoBroadcasts: boolVar("DEMO_BROADCASTS", demoBroadcasts, seedDemoData),
    };
  }
  if (redisUrl !== undefined) config.redisUrl = parseRedisUrl(redisUrl);
  const playback = parsePlaybackConfig(read("PLAYBACK_PRIVATE_KEY"), read("PLAYBACK_PRIVATE_KEY_FILE"));
  if (playback) config.playback = playback;
  return config;
}

/** The configuration as it may be logged: no keys, tokens or passwords. */
export function describeConfig(config: GatewayConfig): Record<string, unknown> {
  const { credentials, ...ivs } = config.ivs;
  return {
    port: config.port,
    host: config.host,
    logLevel: config.logLevel,
    ivs: {
      ...ivs,
      credentials: credentials.kind === "profile" ? `profile ${credentials.profile}` : credentials.kind,
    },
    emulator: config.emulator,
    events: { ...config.events, apiKey: config.events.apiKey ? "***" : undefined },
    redis: config.redisUrl ? redactUrl(config.redisUrl) : undefined,
    auth: describeAuth(config.auth),
    limits: config.limits,
    playbackTokens: config.playback ? "on" : "off",
    budget: config.budget,
    mirror: { ...config.mirror, secretKey: config.mirror.secretKey ? "***" : undefined },
    // Export headers usually carry an API key: their names only.
    telemetry: { ...config.telemetry, headers: Object.keys(config.telemetry.headers) },
    documents: config.documents,
  };
}

function parseEvents(read: (name: string) => string | undefined): EventsConfig {
  const apiKey = read("EVENTS_API_KEY");
  // EventBridge connections accept any string; a short key is guessable, so we refuse it.
  if (apiKey !== undefined && apiKey.length < 16)
    throw new ConfigError("EVENTS_API_KEY", "must be at least 16 characters long");
  const apiKeyHeader = textVar("EVENTS_API_KEY_HEADER", read("EVENTS_API_KEY_HEADER")).toLowerCase();
  if (!/^[a-z0-9-]+$/.test(apiKeyHeader))
    throw new ConfigError("EVENTS_API_KEY_HEADER", `must be an HTTP header name, got "${apiKeyHeader}"`);
  return {
    ...(apiKey !== undefined ? { apiKey } : {}),
    apiKeyHeader,
    reconcileIntervalMs: intVar("RECONCILE_INTERVAL_MS", read("RECONCILE_INTERVAL_MS")),
    replayRetentionMs: intVar("EVENT_REPLAY_RETENTION_MS", read("EVENT_REPLAY_RETENTION_MS")),
    clockSkewMs: intVar("EVENT_CLOCK_SKEW_MS", read("EVENT_CLOCK_SKEW_MS")),
    maxAgeMs: intVar("EVENT_MAX_AGE_MS", read("EVENT_MAX_AGE_MS")),
    logMaxBytes: intVar("EVENT_LOG_MAX_BYTES", read("EVENT_LOG_MAX_BYTES")),
  };
}

function parseKeyPrefix(raw: string): string {
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw))
    throw new ConfigError("REDIS_KEY_PREFIX", `must be 1–64 letters, digits or :_.-, got "${raw}"`);
  return raw;
}

function parseBackend(raw: string): { backend: IvsBackend; endpoint?: string } {
  const lower = raw.toLowerCase();
  if (lower === "embedded") return { backend: "embedded" };
  if (lower === "aws") return { backend: "aws" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("IVS_ENDPOINT", `must be embedded, aws or an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ConfigError("IVS_ENDPOINT", `must be an http(s) URL, got protocol ${url.protocol}`);
  if (url.username || url.password)
    throw new ConfigError("IVS_ENDPOINT", "must not carry credentials; use AWS_ACCESS_KEY_ID and friends");
  // The SDK appends operation paths itself; a trailing slash would double it.
  return { backend: "endpoint", endpoint: url.href.replace(/\/+$/, "") };
}

function parseRegion(variable: string, raw: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(raw))
    throw new ConfigError(variable, `must look like us-west-2, got "${raw}"`);
  return raw;
}

function parseCredentials(read: (name: string) => string | undefined, embedded: boolean): CredentialsConfig {
  const accessKeyId = read("AWS_ACCESS_KEY_ID");
  const secretAccessKey = read("AWS_SECRET_ACCESS_KEY");
  const sessionToken = read("AWS_SESSION_TOKEN");
  const profile = read("AWS_PROFILE");
  const anonymous = boolVar("IVS_ANONYMOUS", read("IVS_ANONYMOUS"));

  if (accessKeyId !== undefined && secretAccessKey === undefined)
    throw new ConfigError("AWS_SECRET_ACCESS_KEY", "is required when AWS_ACCESS_KEY_ID is set");
  if (secretAccessKey !== undefined && accessKeyId === undefined)
    throw new ConfigError("AWS_ACCESS_KEY_ID", "is required when AWS_SECRET_ACCESS_KEY is set");
  if (sessionToken !== undefined && accessKeyId === undefined)
    throw new ConfigError("AWS_SESSION_TOKEN", "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (profile !== undefined && !/^[A-Za-z0-9_.@+=,/-]+$/.test(profile))
    throw new ConfigError("AWS_PROFILE", `is not a valid profile name: "${profile}"`);
  // Two sources at once is almost always a leftover; the SDK would silently pick one, we refuse.
  if (anonymous && (accessKeyId !== undefined || profile !== undefined))
    throw new ConfigError("IVS_ANONYMOUS", "cannot be combined with AWS_ACCESS_KEY_ID or AWS_PROFILE");
  if (accessKeyId !== undefined && profile !== undefined)
    throw new ConfigError("AWS_PROFILE", "cannot be combined with AWS_ACCESS_KEY_ID; set one of them");

  if (anonymous) return { kind: "anonymous" };
  if (accessKeyId !== undefined && secretAccessKey !== undefined)
    return { kind: "static", accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  if (profile !== undefined) return { kind: "profile", profile };
  // The emulator checks no signature; dummy keys keep the SDK from probing files and instance metadata.
  if (embedded) return { kind: "static", accessKeyId: "embedded", secretAccessKey: "embedded" };
  return { kind: "default" };
}

function parseHost(raw: string): string {
  if (/[\s/]/.test(raw) || raw.includes("://"))
    throw new ConfigError("HOST", `must be a host name or IP address, got "${raw}"`);
  return raw;
}

function parseTelemetry(read: (name: string) => string | undefined): TelemetryConfig {
  const exporter = textVar("OTEL_TRACES_EXPORTER", read("OTEL_TRACES_EXPORTER"));
  if (exporter !== "none" && exporter !== "otlp" && exporter !== "console")
    throw new ConfigError("OTEL_TRACES_EXPORTER", `must be otlp, console or none, got "${exporter}"`);
  const sampler = textVar("OTEL_TRACES_SAMPLER", read("OTEL_TRACES_SAMPLER"));
  if (!(TRACE_SAMPLERS as readonly string[]).includes(sampler))
    throw new ConfigError(
      "OTEL_TRACES_SAMPLER",
      `must be one of ${TRACE_SAMPLERS.join(", ")}, got "${sampler}"`,
    );
  const samplerRatio = numberVar("OTEL_TRACES_SAMPLER_ARG", read("OTEL_TRACES_SAMPLER_ARG"));
  const traces = read("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const base = textVar("OTEL_EXPORTER_OTLP_ENDPOINT", read("OTEL_EXPORTER_OTLP_ENDPOINT"));
  const endpoint = traces ?? `${base.replace(/\/+$/, "")}/v1/traces`;
  if (!/^https?:\/\/[^\s]+$/.test(endpoint))
    throw new ConfigError(
      traces ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT",
      `must be an http(s) URL, got "${endpoint}"`,
    );
  const headers: Record<string, string> = {};
  for (const pair of (read("OTEL_EXPORTER_OTLP_HEADERS") ?? "").split(",").filter(Boolean)) {
    const at = pair.indexOf("=");
    if (at <= 0)
      throw new ConfigError("OTEL_EXPORTER_OTLP_HEADERS", "must be key=value pairs separated by commas");
    headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return {
    exporter,
    endpoint,
    headers,
    serviceName: textVar("OTEL_SERVICE_NAME", read("OTEL_SERVICE_NAME")),
    sampler: sampler as TelemetryConfig["sampler"],
    samplerRatio,
  };
}

function parseDocuments(manifestPath: string | undefined, onlyRaw: string | undefined): DocumentsConfig {
  const only = boolVar("TRUSTED_DOCUMENTS_ONLY", onlyRaw);
  if (only && manifestPath === undefined)
    throw new ConfigError("TRUSTED_DOCUMENTS_ONLY", "needs TRUSTED_DOCUMENTS (the manifest to allow)");
  return { ...(manifestPath ? { manifestPath } : {}), only };
}

function parseLogFormat(raw: string): DevelopmentConfig["logFormat"] {
  if (raw === "pretty" || raw === "json" || raw === "auto") return raw;
  throw new ConfigError("LOG_FORMAT", `must be pretty, json or auto, got "${raw}"`);
}

function parseLogLevel(raw: string): LogLevel {
  const level = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${raw}"`);
  return level as LogLevel;
}

function parseRedisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("REDIS_URL", "must be a redis:// or rediss:// URL");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    throw new ConfigError("REDIS_URL", `must use redis:// or rediss://, got ${url.protocol}//`);
  if (!url.hostname) throw new ConfigError("REDIS_URL", "must name a host");
  return raw;
}
