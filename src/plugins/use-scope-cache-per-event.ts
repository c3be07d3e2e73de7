import { RequestCache } from "@pothos/plugin-scope-auth";
import type { Plugin } from "graphql-yoga";

/**
 * Pothos scope-auth memoizes its checks per context (src/schema/builder.ts): per type, by parent object,
 * and per scope map, by the object a type's `authScopes` function returned. A subscription's context
 * serves every one of its events, and each event brings a new parent (a LiveUpdate, a RelayedEntry) for
 * which `ChannelLiveStatus` / `IvsEventFields` return a new `{ channel }` map: kept for the subscription's
 * whole life, those entries grew by ~0.8 KB per event delivered, without bound (the soak's steady heap
 * growth). Each event is its own execution, so its cache ends with it: forgotten once the event's
 * result is out, before the next one is executed. Queries and mutations are untouched (their context
 * ends with them).
 */
export function useScopeCachePerEvent(): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args }) {
          return {
            onNext() {
              RequestCache.clearForContext(args.contextValue);
            },
          };
        },
      };
    },
  };
}
