#!/usr/bin/env node
// The `likewatch` command. The sources are TypeScript; tsx compiles them on the fly, so `npx likewatch`
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
