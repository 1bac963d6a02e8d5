// The boot of a worker thread on a TypeScript module (see threads.ts): tsx first, then the module,
// whose URL is the thread's last argument.
import { register } from 'tsx/esm/api';

register();
await import(process.argv.at(-1));
