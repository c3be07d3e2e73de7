/**
 * The programs as `npm start` and `npm run emulator` run them once built (test/support/build.ts builds
 * dist/ before the run): arguments for `process.execPath`, the working directory the repository root.
 */
export const GATEWAY_PROGRAM = ["dist/main.js"] as const;
export const EMULATOR_PROGRAM = ["dist/emulator.js"] as const;
