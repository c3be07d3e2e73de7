import { liveRow, liveSettingsFromEnv, runLiveBench } from "./live-subscribers.ts";

const s = liveSettingsFromEnv(false);
const r = await runLiveBench(
  Number(process.env.N ?? 10000),
  Number(process.env.R ?? 1) as 1 | 2,
  s,
  process.env.DESIGN ?? "current",
  process.env.CWD,
);
console.log(liveRow(r));
process.exit(0);
