import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffEmptyToSchema, diffMigrationsToSchema, migrationLockContent } from '../../src/infra/db/schema-engine.ts';

/**
 * CI guard: a model changed without its migration (or a migration edited by hand) makes the
 * diff "existing migrations → schema.prisma" non-empty. Fix by running
 * `npm run db:migration -- <name>` and committing the new migration.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA = path.join(ROOT, 'prisma/schema.prisma');
const MIGRATIONS = path.join(ROOT, 'prisma/migrations');

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-drift-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** schema.prisma with `edit` applied, written to a temp dir. */
function editedSchema(edit: (schema: string) => string): string {
  const original = readFileSync(SCHEMA, 'utf8');
  const changed = edit(original);
  expect(changed).not.toBe(original);
  const file = path.join(tempDir(), 'schema.prisma');
  writeFileSync(file, changed);
  return file;
}

describe('schema.prisma and prisma/migrations agree', () => {
  it('replaying the migrations yields exactly schema.prisma', async () => {
    const sql = await diffMigrationsToSchema({ migrationsDir: MIGRATIONS, schemaPath: SCHEMA });
    expect(sql, 'schema.prisma changed without a migration: run `npm run db:migration -- <name>`').toBe('');
  });

  it('notices a field and a model missing from the migrations', async () => {
    const schemaPath = editedSchema((s) =>
      s
        .replace(/(model Setting \{\n)/, '$1  note      String?\n')
        .concat('\nmodel DriftProbe {\n  id    Int    @id @default(autoincrement())\n  label String @unique\n}\n'),
    );
    const sql = await diffMigrationsToSchema({ migrationsDir: MIGRATIONS, schemaPath });
    expect(sql).toContain('ALTER TABLE "Setting" ADD COLUMN "note" TEXT;');
    expect(sql).toContain('CREATE TABLE "DriftProbe"');
    expect(sql).toContain('CREATE UNIQUE INDEX "DriftProbe_label_key"');
    expect(sql, 'nothing destructive, so no warnings header').toMatch(/^-- /);
  });

  it("writes Prisma's Warnings header for destructive changes, and the result replays cleanly", async () => {
    const schemaPath = editedSchema((s) =>
      s
        .replace(/model Setting \{[^}]*\}\n/, '')
        .replace('  statusReason   String?\n', '  statusReason   String\n')
        .replace('  apiKeyHint     String?\n', '  venue          String\n')
        .replace('  language   String?\n  createdAt', '  language   Int?\n  createdAt')
        .replace('  @@index([at])\n', '  @@index([at])\n  @@unique([platform, externalId, at])\n'),
    );
    const migrationsDir = path.join(tempDir(), 'migrations');
    cpSync(MIGRATIONS, migrationsDir, { recursive: true });

    const sql = await diffMigrationsToSchema({ migrationsDir, schemaPath });
    // What `migrate dev` writes (the engine's pure_check wording; `migrate diff` writes none):
    // warnings first, then unexecutable steps, each in step order.
    const header = [
      '/*',
      '  Warnings:',
      '',
      '  - You are about to drop the `Setting` table. If the table is not empty, all the data it contains will be lost.',
      '  - You are about to drop the column `apiKeyHint` on the `Account` table. All the data in the column will be lost.',
      '  - You are about to alter the column `language` on the `User` table. The data in that column could be lost. The data in that column will be cast from `String` to `Int`.',
      '  - A unique constraint covering the columns `[platform,externalId,at]` on the table `AuditLog` will be added. If there are existing duplicate values, this will fail.',
      '  - Added the required column `venue` to the `Account` table without a default value. This is not possible if the table is not empty.',
      '  - Made the column `statusReason` on table `Account` required. This step will fail if there are existing NULL values in that column.',
      '',
      '*/',
      '',
    ].join('\n');
    expect(sql.slice(0, header.length)).toBe(header);
    expect(sql.slice(header.length)).toMatch(/^-- DropTable\n/);
    // SQLite rebuilds tables for these: multi-statement scripts with PRAGMA foreign_keys.
    expect(sql).toContain('PRAGMA foreign_keys=OFF;');
    expect(sql).toContain('CREATE TABLE "new_Account"');

    mkdirSync(path.join(migrationsDir, '99991231235959_destructive'));
    writeFileSync(path.join(migrationsDir, '99991231235959_destructive', 'migration.sql'), sql);
    expect(await diffMigrationsToSchema({ migrationsDir, schemaPath })).toBe('');
  });

  it('with no migrations yet, the diff is the whole empty → schema script', async () => {
    const migrationsDir = path.join(tempDir(), 'none');
    const full = await diffEmptyToSchema({ schemaPath: SCHEMA });
    expect(full).toContain('CREATE TABLE "Account"');
    expect(await diffMigrationsToSchema({ migrationsDir, schemaPath: SCHEMA })).toBe(full);
  });
});

describe('prisma/migrations layout', () => {
  it("follows Prisma's layout: <yyyyMMddHHmmss>_<name>/migration.sql", () => {
    const dirs = readdirSync(MIGRATIONS, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(dirs.length).toBeGreaterThan(0);
    for (const dir of dirs) {
      expect(dir.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(existsSync(path.join(MIGRATIONS, dir.name, 'migration.sql')), `${dir.name}/migration.sql`).toBe(true);
    }
  });

  it('migration_lock.toml is the one Prisma writes for SQLite', () => {
    const lock = readFileSync(path.join(MIGRATIONS, 'migration_lock.toml'), 'utf8');
    expect(lock).toMatch(/^provider = "sqlite"$/m);
    expect(lock).toBe(migrationLockContent('sqlite'));
  });
});
