// Load with `node --import ./register.mjs ...`: swaps the parser's schema download for a local file.
import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
