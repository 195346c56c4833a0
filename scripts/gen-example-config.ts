// Writes gateway.example.toml from the config schema.
import fs from 'node:fs';
import { renderExampleConfig } from '../src/config/example.js';

fs.writeFileSync(new URL('../gateway.example.toml', import.meta.url), renderExampleConfig());
process.stdout.write('wrote gateway.example.toml\n');
