import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MODEL } from "../model/ivs-model.generated.ts";
import type { RequestCounters } from "./counters.ts";
import { IvsError, throttled } from "./errors.ts";
import { type ApiCall, type CloudTrail, callerOf } from "./events/cloudtrail.ts";
import { type ApiFaultOptions, drawApiFault } from "./faults.ts";
import type { OperationContext } from "./operations/context.ts";
import { OPERATIONS } from "./operations/index.ts";
import {
  buildRoutes,
  decodeInput,
  matchRoute,
  readBody,
  toIvsError,
  writeError,
  writeOutput,
} from "./protocol/http.ts";
import { validateInput } from "./protocol/validate.ts";
import { PUT_METADATA_PER_CHANNEL, type RateLimiter } from "./quotas.ts";
import type { Random } from "./random.ts";

const ROUTES = buildRoutes(MODEL);
const BODY_LIMIT = 1024 * 1024;

export interface ApiDeps {
  context: OperationContext;
  limiter: RateLimiter;
  counters: RequestCounters;
  faults: () => ApiFaultOptions;
  random: Random;
  /** Resolves once the state changes made so far are durable; absent without a state file. */
  durable?: () => Promise<void>;
  /** Emits the CloudTrail event of each successful write. */
  cloudTrail: CloudTrail;
  /** Handles `/_emulator/...`; returns false when it does not own the path. */
  control: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

const READ_ONLY = /^(Get|List|BatchGet)/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Serves one IVS API request: route, count, inject faults, throttle, decode, validate, run, encode. */
export async function handleApiRequest(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { context } = deps;
  const requestId = context.ids.requestId();
  const url = new URL(req.url ?? "/", "http://emulator");
  if (await deps.control(req, res, url)) return;

  const matched = matchRoute(ROUTES, req.method ?? "GET", url);
  if (!matched) {
    writeError(
      res,
      requestId,
      new IvsError("UnknownOperationException", `No IVS operation at ${req.method} ${url.pathname}`),
    );
    return;
  }
  const { route, labels } = matched;
  const operation = route.name;
  try {
    const body = await readBody(req, BODY_LIMIT);
    const fault = drawApiFault(deps.faults(), operation, deps.random);
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.error) throw fault.error;
    const rate = deps.limiter.rateOf(operation);
    if (rate !== undefined && !deps.limiter.take(operation, rate))
      throw throttled(operation, rate, `arn:aws:ivs:${context.region}:${context.account}:*`);
    const input = decodeInput(MODEL, route.def, body, labels, url);
    if (route.def.input) validateInput(MODEL, route.def.input, input);
    if (operation === "PutMetadata") {
      const channelArn = String(input.channelArn);
      const perChannel = PUT_METADATA_PER_CHANNEL * deps.limiter.options.scale;
      if (!deps.limiter.take(`PutMetadata:${channelArn}`, perChannel))
        throw throttled(operation, perChannel, channelArn);
    }
    const handler = OPERATIONS[operation];
    if (!handler)
      throw new IvsError("InternalServerException", `${operation} is not implemented by the emulator`);
    const write = !READ_ONLY.test(operation);
    // Copied before the handler, which may keep or change parts of its input: the record shows the request.
    const requested = write ? structuredClone(input) : undefined;
    const output = write
      ? await handler(input, context)
      : await context.store.readOnly(() => handler(input, context));
    const at = context.now();
    // Acknowledged only once durable: a write is answered after the write-ahead log's sync, never before.
    if (write && deps.durable) await deps.durable();
    deps.counters.record(operation, route.def.status);
    writeOutput(res, requestId, route.def.status, output);
    // After the state change and in the same tick as the answer, so the event is logged before the caller
    // sees the response and a consumer refetching on it reads the new state.
    if (requested)
      recordCall(deps.cloudTrail, {
        operation,
        input: requested,
        output,
        requestId,
        caller: callerOf(req, url),
        at,
      });
  } catch (error) {
    const ivsError = toIvsError(error);
    if (!(error instanceof IvsError)) console.error(`[ivs-emulator] ${operation} failed:`, error);
    deps.counters.record(operation, ivsError.status, ivsError.type);
    writeError(res, requestId, ivsError);
  }
}

/** A failure to build the record must not turn a served write into an error. */
function recordCall(cloudTrail: CloudTrail, call: ApiCall): void {
  try {
    cloudTrail.record(call);
  } catch (error) {
    console.error(`[ivs-emulator] CloudTrail event for ${call.operation} failed:`, error);
  }
}

export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export { createServer };
