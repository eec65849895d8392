#!/bin/sh
# Stand-in for Prisma's native schema engine where it cannot be downloaded (see prisma.config.ts).
echo "The native Prisma schema engine is not installed here; hedgestack applies migrations itself (src/infra/db)." >&2
exit 1
