/** Drops nulls (GraphQL's "not given") so IVS sees absent members, as the SDK would send them. */
export function defined<T extends object>(value: T | null | undefined) {
  if (!value) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], null>;
  };
}
