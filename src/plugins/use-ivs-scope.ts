import type { Plugin } from "graphql-yoga";
import { type CallScope, runInScope } from "../ivs/scope.ts";

export interface IvsScopeOptions {
  /** How long the IVS calls of one operation may wait for budget and throttle retries, in all. Default 10 s. */
  deadlineMs?: number;
}

/**
 * Runs each GraphQL operation's resolvers as interactive IVS work with one deadline for the whole
 * operation, so that a query needing several rounds of calls never waits longer than that in total.
 */
export function useIvsScope(options: IvsScopeOptions = {}): Plugin {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const scope = (): CallScope => ({ priority: "interactive", deadline: Date.now() + deadlineMs });
  return {
    onExecute({ executeFn, setExecuteFn }) {
      const s = scope();
      setExecuteFn((args) => runInScope(s, () => executeFn(args)));
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      const s = scope();
      setSubscribeFn((args) => runInScope(s, () => subscribeFn(args)));
    },
  };
}
