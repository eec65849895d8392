// `prisma dev` (a local Prisma Postgres) is the only caller; hedgestack runs on SQLite.
export async function startLocalDurableStreamsServer() {
  throw new Error(
    'hedgestack replaces @prisma/streams-local with a stub (the real one needs Node >=22): `prisma dev` is not available here.',
  );
}
