#!/bin/sh
# Portico never runs Prisma's native schema engine: introspection uses the WASM engine
# (src/introspect/schema-engine.ts). Prisma's CLI only checks that this path exists before
# `generate`; if something really tries to run it, say so instead of downloading a binary.
echo "portico: Prisma's native schema engine is not used here; run 'npx portico introspect' instead of 'prisma db pull' or 'prisma migrate'." >&2
exit 1
