import type { DemoSummary } from "./demo/seed.ts";

export interface BannerFacts {
  url: string;
  emulatorUrl?: string | undefined;
  region?: string | undefined;
  devToken?: string | undefined;
  demo?: DemoSummary | undefined;
  graphiql: boolean;
  livePage: boolean;
}

/**
 * What `npm start` prints: where everything is, and commands that work when pasted as printed (the real
 * ports, the dev token, a real demo channel ARN). Printed on stdout only: the logger never sees the token.
 */
export function startBanner(facts: BannerFacts): string {
  const { url, emulatorUrl, devToken, demo } = facts;
  const lines = [
    `GraphQL and GraphiQL: ${url}/graphql${facts.graphiql ? "" : " (GraphiQL off: GRAPHIQL=true turns it on)"}`,
  ];
  if (facts.livePage) lines.push(`Live status page:     ${url}/live`);
  lines.push(`Health:               ${url}/health`, `Metrics:              ${url}/metrics`);
  if (emulatorUrl) lines.push(`IVS emulator:         ${emulatorUrl}`);
  // Printed once, as a command: pasting the line sets $TOKEN for the commands below.
  if (devToken) lines.push(`Dev token (24 h):     export TOKEN=${devToken}`);
  if (facts.graphiql && devToken)
    lines.push(
      "",
      "Open GraphiQL in a browser on this machine: the token and example tabs are already there.",
    );

  const tryLines: string[] = [];
  if (devToken) {
    tryLines.push(
      `curl -s ${url}/graphql -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
      `  -d '{"query":"{ channels { edges { node { name isLive stream { viewerCount } } } } }"}'`,
    );
  }
  if (emulatorUrl) {
    const channel = demo?.channels["demo-idle"];
    if (channel)
      tryLines.push(
        `curl -s -XPOST ${emulatorUrl}/_emulator/broadcasts/start -H 'content-type: application/json' \\`,
        `  -d '{"channelArn":"${channel}","viewerCount":5}'     # demo-idle goes live; .../broadcasts/end ends it`,
      );
    tryLines.push(
      `AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws ivs list-channels --endpoint-url ${emulatorUrl} --region ${facts.region ?? "us-west-2"}`,
    );
  }
  if (tryLines.length > 0) lines.push("", "Try it from a shell:", ...tryLines.map((l) => `  ${l}`));
  return `\n${lines.join("\n")}\n\n`;
}
