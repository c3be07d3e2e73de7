import { spawn } from "node:child_process";
import { once } from "node:events";
import { sleep } from "./lib.ts";
const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir=/tmp/prof", "--import", "tsx", "src/main.ts"], { env: { ...process.env, LOG_LEVEL: "warn", PORT: "0", SEED_DEMO_DATA: "false", RATE_LIMIT_PER_MINUTE: "0" }, stdio: ["ignore", "pipe", "pipe"] });
let out = "";
child.stdout.on("data", (c) => { out += c; });
while (!/Dev token[^:]*:\s+(\S+)/.test(out)) await sleep(100);
const g = { url: /GraphQL and GraphiQL: (http:\/\/\S+)\/graphql/.exec(out)![1], devToken: /Dev token[^:]*:\s+(\S+)/.exec(out)![1], stop: async () => { child.kill("SIGTERM"); await once(child, "exit"); } };
const h = { "content-type": "application/json", authorization: `Bearer ${g.devToken}` };
const q = async (query: string, variables?: unknown) => (await (await fetch(`${g.url}/graphql`, { method: "POST", headers: h, body: JSON.stringify({ query, variables }) })).json()) as any;
const rc = await q(`mutation { createRecordingConfiguration(input: { name: "d", destinationConfiguration: { s3: { bucketName: "bench-recordings" } } }) { ... on RecordingConfiguration { arn } } }`);
for (let i = 0; i < 50; i++) { await q(`mutation ($rc: String!) { createChannel(input: { name: "x", recordingConfigurationArn: $rc }) { __typename } }`, { rc: rc.data.createRecordingConfiguration.arn }); await sleep(250); }
const D = `{ channels(first: 50) { edges { node { arn name latencyMode playbackUrl isLive stream { streamId health viewerCount } streamKeys { arn value } recordingConfiguration { arn name state } } } } }`;
const end = Date.now() + 10000; let n = 0;
await Promise.all(Array.from({ length: 50 }, async () => { while (Date.now() < end) { await q(D); n++; } }));
console.log("rps", n / 10);
await g.stop();
process.exit(0);
