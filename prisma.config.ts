import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

// Prisma's CLI downloads a native schema engine on first use. Where only the npm registry is
// reachable that download fails; `generate` and `validate` need no engine, but the CLI still
// checks that one exists. Point it at a stub only when the real engine is absent, so connected
// machines keep using the real one. Migrations are applied by src/infra/db/migrate.ts.
const nativeEngine = fileURLToPath(
  new URL('./node_modules/@prisma/engines/schema-engine-debian-openssl-3.0.x', import.meta.url),
);
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && !existsSync(nativeEngine)) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(new URL('./tools/no-schema-engine.sh', import.meta.url));
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/hedgestack.db' },
});
