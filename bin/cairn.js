#!/usr/bin/env node
// Runs the compiled program. A fresh clone has no dist/ until `npm run build` (npm start
// builds it): say so in one line rather than with a module-resolution stack trace.
import { builtOrExplain } from './built.js';

await builtOrExplain('cairn', '../dist/src/main.js');
