#!/usr/bin/env node
import '../dist/src/cli/cairn-admin.js';
