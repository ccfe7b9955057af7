/** The CLI entry point from source (bin/llm-iot.js runs the same main() from dist/). */
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
