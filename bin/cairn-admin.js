#!/usr/bin/env node
// Runs the compiled program; see bin/built.js for what happens before a build.
import { builtOrExplain } from './built.js';

await builtOrExplain('cairn-admin', '../dist/src/cli/cairn-admin.js');
