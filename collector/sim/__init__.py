"""The development simulator, kept apart from the production path (`collector run`, `backfill`),
which never imports it: a local VCC API over HTTP and WebSocket (server), the simulated road
network it serves (world, on the message shapes of synthetic, which tests and benches also use),
and simulated history written to the archive (history, `collector generate-history`)."""
