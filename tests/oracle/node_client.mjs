// HubSpot's Node SDK (@hubspot/api-client), unmodified, as a client of the fake's server.
// Run by tests/test_node_client.py: `node node_client.mjs <base URL>`. Prints one JSON object
// with what the SDK returned (or raised) for each step; the Python test checks it and the
// fake's recorded state.
import { Client } from '@hubspot/api-client';

const base = process.argv[2];
const APP_ID = 42;
const hubspot = new Client({ accessToken: 'test-token', developerApiKey: 'dev-key', basePath: base });
const { eventsApi, templatesApi, tokensApi } = hubspot.crm.timeline;

/** What the SDK raised: its ApiException's status and HubSpot's error body, as it parsed it. */
async function failure(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { code: error.code, body: error.body, message: String(error.message) };
  }
}

const event = (templateId, id, tokens) => ({
  eventTemplateId: templateId,
  id,
  email: 'ada@example.com',
  tokens: { plan: 'pro', seats: '3', ...tokens },
});

const out = {};
const template = await templatesApi.create(APP_ID, {
  name: 'Signup',
  objectType: 'contacts',
  headerTemplate: 'Signed up for {{plan}}',
  detailTemplate: '{{seats}} seats on {{plan}} via {{source}}',
  tokens: [
    { name: 'plan', label: 'Plan', type: 'enumeration', options: [{ label: 'Pro', value: 'pro' }] },
    { name: 'seats', label: 'Seats', type: 'number' },
  ],
});
out.template = { id: template.id, name: template.name, objectType: template.objectType };

const token = await tokensApi.create(template.id, APP_ID, { name: 'source', label: 'Source', type: 'string' });
out.token = { name: token.name, type: token.type };
const read = await templatesApi.getById(template.id, APP_ID);
out.read = { tokens: read.tokens.map((t) => t.name), headerTemplate: read.headerTemplate };
const all = await templatesApi.getAll(APP_ID);
out.templates = all.results.map((t) => t.id);

const created = await eventsApi.create(event(template.id, 'n-1', { source: 'node' }));
out.created = { id: created.id, objectType: created.objectType, tokens: created.tokens };
out.rendered = await eventsApi.getRenderById(template.id, 'n-1', true);

// A partial batch: HubSpot answers 207 with the good inputs stored and the bad one named.
const batch = await eventsApi.createBatchWithHttpInfo({
  inputs: [event(template.id, 'n-2'), event(template.id, 'n-3', { seats: 'many' }), event(template.id, 'n-4')],
});
out.batch = {
  status: batch.httpStatusCode,
  results: batch.data.results.map((r) => r.id),
  numErrors: batch.data.numErrors,
  errors: (batch.data.errors ?? []).map((e) => ({ message: e.message, context: e.context })),
};

// A validation error: the SDK raises, carrying HubSpot's error body.
out.invalid = await failure(() => eventsApi.create(event(template.id, 'n-5', { plan: 'gold' })));
out.missing = await failure(() => templatesApi.getById('999999', APP_ID));

console.log(JSON.stringify(out));
