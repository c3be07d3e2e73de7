import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  commitMutation,
  createOperationDescriptor,
  type Disposable,
  Environment,
  type FetchFunction,
  fetchQuery,
  type GraphQLResponse,
  getRequest,
  getSelector,
  type MutationParameters,
  Network,
  type OperationType,
  RecordSource,
  Store,
} from "relay-runtime";
import type { GraphQLResponse as GatewayResponse, TestGateway } from "../gateway.ts";

/** Where relay.config.json lives; its projects' artifacts go to `__generated__/<project>` (git-ignored). */
export const RELAY_DIR = dirname(fileURLToPath(import.meta.url));
export const GENERATED = join(RELAY_DIR, "__generated__");
const COMPILER = join(RELAY_DIR, "..", "..", "..", "node_modules", ".bin", "relay-compiler");

export interface CompileResult {
  project: string;
  ok: boolean;
  ms: number;
  output: string;
}

/**
 * Runs relay-compiler on one project of relay.config.json, after emptying its artifact directory (so a
 * failed compile leaves no stale artifacts behind). The schema is the repository's schema.graphql.
 */
export function compileRelayProject(project: string): CompileResult {
  const out = join(GENERATED, project);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  const run = spawnSync(COMPILER, ["--project", project, "--noWatchman", "relay.config.json"], {
    cwd: RELAY_DIR,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return {
    project,
    ok: run.status === 0,
    ms: Math.round(performance.now() - started),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the compiler's ANSI colours
    output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ?? ""}`.replace(/\u001b\[[0-9;]*m/g, ""),
  };
}

/** The default export of a generated artifact, e.g. `artifact("app", "DashboardQuery")`. */
export async function artifact<T>(project: string, name: string): Promise<T> {
  const url = pathToFileURL(join(GENERATED, project, `${name}.graphql.ts`)).href;
  const mod = (await import(/* @vite-ignore */ url)) as { default: T };
  return mod.default;
}

export interface RelayApp {
  environment: Environment;
  /** Every response the network layer received, in order. */
  responses: { operation: string; status: number; body: GatewayResponse }[];
}

/** A Relay environment whose network POSTs each operation's text to the gateway with the bearer token. */
export function createRelayApp(gw: TestGateway): RelayApp {
  const responses: RelayApp["responses"] = [];
  const fetchFn: FetchFunction = async (params, variables) => {
    const res = await fetch(gw.endpoint, {
      method: "POST",
      headers: { ...gw.authHeaders, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: params.text, operationName: params.name, variables }),
    });
    const body = (await res.json()) as GatewayResponse;
    responses.push({ operation: params.name, status: res.status, body });
    return body as GraphQLResponse;
  };
  const environment = new Environment({
    network: Network.create(fetchFn),
    store: new Store(new RecordSource()),
  });
  return { environment, responses };
}

type Request<T extends OperationType> = Parameters<typeof fetchQuery<T>>[1];

/** fetchQuery(...).toPromise(), then retains the operation so the store keeps its records. */
export async function query<T extends OperationType>(
  environment: Environment,
  request: Request<T>,
  variables: T["variables"],
): Promise<{ data: T["response"]; retained: Disposable }> {
  const data = await fetchQuery<T>(environment, request, variables).toPromise();
  if (data === undefined) throw new Error("fetchQuery resolved without data");
  const retained = environment.retain(createOperationDescriptor(getRequest(request), variables));
  return { data, retained };
}

/** commitMutation as a promise of the response (rejects on errors). */
export function mutate<T extends MutationParameters>(
  environment: Environment,
  mutation: Parameters<typeof commitMutation<T>>[1]["mutation"],
  variables: T["variables"],
): Promise<T["response"]> {
  return new Promise((resolve, reject) => {
    commitMutation<T>(environment, {
      mutation,
      variables,
      onCompleted: (response, errors) =>
        errors && errors.length > 0
          ? reject(new Error(errors.map((e) => e.message).join("; ")))
          : resolve(response),
      onError: reject,
    });
  });
}

/** What useFragment would return: the fragment's data for a fragment reference, read from the store. */
export function readFragment<T = Record<string, unknown>>(
  environment: Environment,
  fragment: Parameters<typeof getSelector>[0],
  ref: unknown,
): T {
  const selector = getSelector(fragment, ref);
  if (selector?.kind !== "SingularReaderSelector")
    throw new Error("expected a fragment reference for one record");
  return environment.lookup(selector).data as T;
}
