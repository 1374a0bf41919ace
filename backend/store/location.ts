/** What a store location is: a `postgres://` URL (PostgreSQL) or a SQLite file path. */
export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** The location without a URL's password, for logs. */
export function redactLocation(location: string): string {
  return location.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
