// Module hook: the parser fetches per-type JSON Schemas from HubSpot (src/lib/schemas.js in
// @hubspot/project-parsing-lib 0.23.0); resolve that file to local-schemas.mjs instead.
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  return r.url.endsWith('/project-parsing-lib/src/lib/schemas.js')
    ? { url: new URL('./local-schemas.mjs', import.meta.url).href, shortCircuit: true }
    : r;
}
