/**
 * Entry of the fake TikTok's thread: loader hooks do not reach worker threads, so this registers the
 * TypeScript loader (tsx, as the CLI uses) before loading the thread's body.
 */
import { register } from 'tsx/esm/api';

register();
await import('./thread-main.ts');
