#!/usr/bin/env node
// The vfsim command: the bundled CLI (npm run build writes dist/cli.mjs; npm ci runs it).
import { main } from "../dist/cli.mjs";
process.exitCode = await main(process.argv.slice(2));
