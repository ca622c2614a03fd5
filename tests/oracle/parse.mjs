// Recipe A (shared/spec/clients.md §5): parse only, no validation. Times each srcDir.
// Usage: node parse.mjs <repeats> <srcDir>...  Prints one JSON line per srcDir:
// {"srcDir", "nodes", "skipped", "seconds": [per repeat]}.
import { translate } from '@hubspot/project-parsing-lib/translate';

const [repeats, ...dirs] = process.argv.slice(2);
for (const srcDir of dirs) {
  const seconds = [];
  let result;
  for (let i = 0; i < Number(repeats); i++) {
    const start = process.hrtime.bigint();
    result = await translate({ projectSourceDir: srcDir, platformVersion: '2025.2' }, { skipValidation: true });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const nodes = Object.keys(result.intermediateRepresentation.intermediateNodesIndexedByUid).length;
  console.log(JSON.stringify({ srcDir, nodes, skipped: result.skippedHsMetaFiles.length, seconds }));
}
