/**
 * The `graphql` tag the Relay documents are written with. relay-compiler reads the tagged templates from the
 * source text; babel-plugin-relay would replace each with its generated artifact, but it is not used here:
 * the tests import the artifacts from `__generated__/` themselves, and these documents are never executed.
 */
export function graphql(strings: TemplateStringsArray): string {
  return strings.join("");
}
