// The schema map the parser validates `config` against: IR_SCHEMA_FILE, or one that accepts
// any config of an app and an app event, so only the parser's own rules run.
import fs from 'node:fs';

export async function getIntermediateRepresentationSchema() {
  if (process.env.IR_SCHEMA_FILE) {
    return JSON.parse(fs.readFileSync(process.env.IR_SCHEMA_FILE, 'utf8'));
  }
  return { APPLICATION: {}, APP_EVENT: {} };
}
