import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  diffMigrationsToSchema,
  MIGRATION_LOCK_FILE,
  MIGRATION_SCRIPT_FILE,
  migrationLockContent,
} from '../infra/db/schema-engine.ts';

/**
 * `npm run db:migration -- <name>`: the offline stand-in for `prisma migrate dev --create-only`.
 * It asks Prisma's wasm schema engine for the SQL that takes the existing migrations to
 * prisma/schema.prisma and writes it where and how Prisma would:
 * `prisma/migrations/<yyyyMMddHHmmss, UTC>_<name>/migration.sql`, plus migration_lock.toml.
 * The migration is not applied here; src/infra/db/migrate.ts applies it at start-up.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
// The same paths as prisma.config.ts (not imported: loading it has side effects on the env).
const SCHEMA_PATH = path.join(ROOT, 'prisma/schema.prisma');
const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');

// Prisma slugifies names to [a-z0-9_] and cuts them at 200 characters; insist on that form
// instead of silently rewriting what the developer typed.
const NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const MAX_NAME = 200;

/** The engine's `Utc::now().format("%Y%m%d%H%M%S")`. */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14);
}

async function main(args: string[]): Promise<number> {
  const [name, ...extra] = args;
  if (name === undefined || extra.length > 0 || !NAME.test(name) || name.length > MAX_NAME) {
    console.error('usage: npm run db:migration -- <name>');
    console.error(`  <name> is lowercase snake_case (e.g. add_order_table), at most ${MAX_NAME} characters`);
    return 2;
  }

  const sql = await diffMigrationsToSchema({ migrationsDir: MIGRATIONS_DIR, schemaPath: SCHEMA_PATH });
  if (sql === '') {
    console.log('schema and migrations already agree; nothing to create');
    return 0;
  }

  const dirName = `${timestamp(new Date())}_${name}`;
  // Migrations apply in name order; a clock behind the newest migration would slot this one
  // before it (and a second migration in the same second could too).
  const existing = existsSync(MIGRATIONS_DIR)
    ? (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
    : [];
  const newest = existing.sort((a, b) => a.localeCompare(b)).at(-1);
  if (newest !== undefined && newest.slice(0, 14) >= dirName.slice(0, 14)) {
    console.error(`refusing to create ${dirName}: it would not sort after the newest migration ${newest}`);
    return 1;
  }

  const dir = path.join(MIGRATIONS_DIR, dirName);
  await mkdir(dir, { recursive: true, mode: 0o777 });
  const file = path.join(dir, MIGRATION_SCRIPT_FILE);
  await writeFile(file, sql, { encoding: 'utf-8', flag: 'wx' });

  const lock = path.join(MIGRATIONS_DIR, MIGRATION_LOCK_FILE);
  console.log(`created ${path.relative(process.cwd(), file)}`);
  if (!existsSync(lock)) {
    await writeFile(lock, migrationLockContent('sqlite'), { encoding: 'utf-8' });
    console.log(`created ${path.relative(process.cwd(), lock)}`);
  }
  console.log('review it, then commit it together with the schema change');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
