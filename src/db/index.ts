export { openDatabase, type Database, type DatabaseKind, type DatabaseOptions } from "./connect.ts";
export { migrate, loadMigrations, MigrationError, type Migration } from "./migrate.ts";
export { DatabaseError } from "./pglite-driver.ts";
export type * from "./schema.ts";
export { arrayLiteral, type ArrayElement } from "./array-literal.ts";
