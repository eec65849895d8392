import { Prisma } from '../../generated/prisma/client.ts';

/** One cell: text (decimals travel as strings, like the schema's money columns), a number, a time, or NULL. */
export type JsonCell = string | number | Date | null;

/**
 * Many rows bound as one value: `SELECT j.value ->> 0 AS "a", j.value ->> 1 AS "b" … FROM json_each(?)`,
 * to insert from, update from, or join against.
 *
 * For the statements that write or look up a fan-out's hundred rows at once (intents, order rows,
 * answers, fills): Prisma maps every bound value of a raw query on its own, and a hundred rows of
 * ten values took ~2 ms of the desk's CPU before the first copy could go out (measured in
 * isolation: the event's transaction at 100 followers, p50 9.0 → 7.0 ms). One JSON string is
 * parsed by SQLite in C. It also binds one value whatever the row count, so no statement comes
 * near SQLite's bound-value limit.
 *
 * `->>` gives SQL values: text, integer, real, NULL. Times are written as the Prisma adapter writes
 * a DateTime (ISO 8601 with `+00:00`), so a row inserted here reads back through Prisma like any
 * other and compares as text with the rest (test/db/json-rows.test.ts holds it to the adapter).
 */
export function jsonRows(columns: readonly string[], rows: readonly (readonly JsonCell[])[]): Prisma.Sql {
  const cells = columns.map((c, i) => `j.value ->> ${i} AS "${c}"`).join(', ');
  const json = JSON.stringify(rows.map((row) => row.map((cell) => (cell instanceof Date ? sqliteTime(cell) : cell))));
  return Prisma.sql`SELECT ${Prisma.raw(cells)} FROM json_each(${json}) AS j`;
}

/** A DateTime as @prisma/adapter-better-sqlite3 stores it by default (timestampFormat iso8601). */
export function sqliteTime(at: Date): string {
  return at.toISOString().replace('Z', '+00:00');
}
