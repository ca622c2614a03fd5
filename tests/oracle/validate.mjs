// Recipe B (shared/spec/clients.md §5): HubSpot's validation pipeline, offline.
// Usage: node --import ./register.mjs validate.mjs <srcDir>...
// Prints one JSON line per srcDir: {"srcDir", "valid", "errors": [{"file", "errors": [...]}]}.
import fs from 'node:fs';
import path from 'node:path';
import { translate, isTranslationError } from '@hubspot/project-parsing-lib/translate';

// The platform version of the project's hsproject.json (next to srcDir), else 2025.2.
function platformVersion(srcDir) {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(srcDir, '..', 'hsproject.json'), 'utf8'));
    return config.platformVersion || '2025.2';
  } catch {
    return '2025.2';
  }
}

for (const srcDir of process.argv.slice(2)) {
  const line = { srcDir, valid: true, errors: [] };
  try {
    await translate({ projectSourceDir: srcDir, platformVersion: platformVersion(srcDir), accountId: 1 });
  } catch (e) {
    line.valid = false;
    line.errors = isTranslationError(e)
      ? e.errors.filter((f) => f.errors.length).map((f) => ({ file: f.file, errors: f.errors }))
      : [{ file: null, errors: [String(e.message)] }];
  }
  console.log(JSON.stringify(line));
}
