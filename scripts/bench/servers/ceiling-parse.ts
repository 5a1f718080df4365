/**
 * @module Bench entry: the ceiling that also reads and parses the body (and answers with the request's
 * id and message). It parses the fastest way either runtime offers, `request.json()` (on Deno ~6,000
 * instructions per call fewer than `JSON.parse(await request.text())`, on Bun ~1,000), as Gatehouse
 * and `minimal` do: the ceiling must be the runtime's limit, not a slower path Gatehouse avoids.
 */
export async function fetch(request: Request): Promise<Response> {
  const message = await request.json();
  const body = `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{"content":[{"type":"text","text":${
    JSON.stringify(message.params.arguments.message)
  }}]}}`;
  return new Response(body, { headers: { "content-type": "application/json" } });
}
