#!/usr/bin/env node
import('../dist/src/cli/main.js').then((m) => m.main(process.argv), (e) => { console.error(`chargestorm: cannot load the build (${e.code ?? e.message}); run \`npm run build\` first`); process.exit(107); });
