/** The exception name; for network failures, which are all named `Error`, their code (ECONNREFUSED, ...). */
export function outcomeOf(error: unknown): string {
  if (!(error instanceof Error)) return "Unknown";
  const code = (error as { code?: unknown }).code;
  if (error.name === "Error" && typeof code === "string") return code;
  return error.name;
}
