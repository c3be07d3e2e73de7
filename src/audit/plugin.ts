import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import type { GraphQLFieldResolver } from "graphql";
import type { GatewayContext } from "../context.ts";
import { audited } from "./run.ts";

/**
 * Records every top-level Mutation field as it resolves (src/audit/run.ts). In the builder's plugin
 * list it comes after scope auth (a refused field is not run, so not recorded: a read-only principal
 * cannot flush the capped trail with refusals) and after the errors plugin (it sees what the resolver
 * threw, before that becomes a typed result).
 */
export class PothosAuditPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    if (fieldConfig.kind !== "Mutation") return resolver;
    const operation = fieldConfig.name;
    return (parent, args, context, info) =>
      audited(context as GatewayContext, { operation, args }, () => resolver(parent, args, context, info));
  }
}

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      audit: PothosAuditPlugin<Types>;
    }
  }
}

/** The plugin's name, for the builder's `plugins` list (as Pothos's own plugins export theirs). */
const pluginName = "audit";
export default pluginName;

SchemaBuilder.registerPlugin(pluginName, PothosAuditPlugin);
