/**
 * The `graphql` tag relay-compiler reads the documents from. Nothing executes these strings: with persisted
 * documents the artifacts carry only `params.id`, and the network layer sends that id.
 */
export function graphql(strings: TemplateStringsArray): string {
  return strings.join("");
}
