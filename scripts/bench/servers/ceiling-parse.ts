/** @module Bench entry: the ceiling that also reads and JSON.parses the body (and answers with the request's id and message). */
export async function fetch(request: Request): Promise<Response> {
  const message = JSON.parse(await request.text());
  const body = `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{"content":[{"type":"text","text":${
    JSON.stringify(message.params.arguments.message)
  }}]}}`;
  return new Response(body, { headers: { "content-type": "application/json" } });
}
