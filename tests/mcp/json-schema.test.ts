import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { compileJsonSchema, defineTool } from "../../src/mod.ts";
import { call, initialize, server } from "./helpers.ts";

/** The problems `schema` finds in `value`. */
const problems = (schema: Record<string, unknown> | boolean, value: unknown) => compileJsonSchema(schema)(value);
const ok = (schema: Record<string, unknown> | boolean, value: unknown) =>
  assert.deepEqual(problems(schema, value), [], JSON.stringify(value));
const bad = (schema: Record<string, unknown> | boolean, value: unknown, expected: RegExp) => {
  const found = problems(schema, value);
  assert.ok(
    found.some((p) => expected.test(p)),
    `${JSON.stringify(value)}: expected a problem matching ${expected}, got ${JSON.stringify(found)}`,
  );
};

describe("compileJsonSchema: what it enforces", () => {
  it("type: each JSON type, integer versus number, and a list of types", () => {
    ok({ type: "string" }, "x");
    bad({ type: "string" }, 1, /^\(root\): expected string, got integer$/);
    ok({ type: "integer" }, 3);
    bad({ type: "integer" }, 3.5, /expected integer, got number/);
    ok({ type: "number" }, 3.5);
    bad({ type: "object" }, [], /expected object, got array/);
    bad({ type: "object" }, null, /expected object, got null/);
    ok({ type: ["string", "null"] }, null);
    bad({ type: ["string", "null"] }, false, /expected string or null, got boolean/);
  });

  it("properties, required and additionalProperties name the field at fault", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "number" }, nested: { type: "object", properties: { b: { type: "string" } }, required: ["b"] } },
      required: ["a"],
      additionalProperties: false,
    };
    ok(schema, { a: 1 });
    ok(schema, { a: 1, nested: { b: "x" } });
    bad(schema, {}, /^a: required$/);
    bad(schema, { a: "one" }, /^a: expected number, got string$/);
    bad(schema, { a: 1, nested: {} }, /^nested\.b: required$/);
    bad(schema, { a: 1, extra: true }, /^extra: is not an allowed property$/);
    // additionalProperties as a schema checks the other properties against it.
    ok({ type: "object", additionalProperties: { type: "number" } }, { x: 1, y: 2 });
    bad({ type: "object", additionalProperties: { type: "number" } }, { x: "1" }, /^x: expected number/);
  });

  it("patternProperties, propertyNames, min/maxProperties, dependentRequired and draft-07 dependencies", () => {
    const schema = { type: "object", patternProperties: { "^n_": { type: "number" } }, additionalProperties: false };
    ok(schema, { n_1: 1 });
    bad(schema, { n_1: "1" }, /^n_1: expected number/);
    bad(schema, { other: 1 }, /^other: is not an allowed property$/);
    bad({ propertyNames: { pattern: "^[a-z]+$" } }, { Bad: 1 }, /^Bad: is not an allowed property name$/);
    bad({ minProperties: 1 }, {}, /at least 1 properties/);
    bad({ maxProperties: 1 }, { a: 1, b: 2 }, /at most 1 properties/);
    bad({ dependentRequired: { card: ["cvc"] } }, { card: "4242" }, /^cvc: required when card is present$/);
    ok({ dependentRequired: { card: ["cvc"] } }, { other: 1 });
    bad({ dependencies: { card: ["cvc"] } }, { card: "4242" }, /^cvc: required when card is present$/);
    bad({ dependencies: { card: { required: ["zip"] } } }, { card: "4242" }, /^zip: required$/);
  });

  it("strings: min/maxLength count characters, not UTF-16 units; pattern is searched, with Unicode", () => {
    ok({ maxLength: 2 }, "😀😀");
    bad({ maxLength: 1 }, "😀😀", /at most 1 characters/);
    bad({ minLength: 3 }, "ab", /at least 3 characters/);
    ok({ pattern: "b" }, "abc");
    bad({ pattern: "^\\d+$" }, "12a", /must match the pattern/);
    ok({ pattern: "^\\p{L}+$" }, "héllo");
  });

  it("numbers: minimum, maximum, exclusive bounds and multipleOf (decimal steps too)", () => {
    bad({ minimum: 1 }, 0, /^\(root\): must be >= 1$/);
    bad({ maximum: 1 }, 2, /<= 1/);
    bad({ exclusiveMinimum: 1 }, 1, /> 1/);
    bad({ exclusiveMaximum: 1 }, 1, /< 1/);
    ok({ multipleOf: 0.1 }, 0.3);
    bad({ multipleOf: 2 }, 3, /multiple of 2/);
    // Bounds apply to numbers only: a string is the type keyword's business.
    ok({ minimum: 1 }, "zero");
  });

  it("arrays: items, prefixItems, draft-07 tuples, min/maxItems, uniqueItems by value, contains", () => {
    bad({ items: { type: "number" } }, [1, "2"], /^1: expected number/);
    ok({ prefixItems: [{ type: "string" }, { type: "number" }], items: false }, ["a", 1]);
    bad({ prefixItems: [{ type: "string" }, { type: "number" }], items: false }, ["a", 1, 2], /^2: no value is allowed here$/);
    bad({ items: [{ type: "string" }], additionalItems: false }, ["a", "b"], /^1: no value is allowed here$/);
    bad({ minItems: 2 }, [1], /at least 2 items/);
    bad({ maxItems: 1 }, [1, 2], /at most 1 items/);
    bad({ uniqueItems: true }, [{ a: 1, b: 2 }, { b: 2, a: 1 }], /unique \(0 and 1 are equal\)/);
    ok({ uniqueItems: true }, [1, "1", [1], { a: 1 }]);
    bad({ contains: { type: "string" } }, [1, 2], /at least 1 matching item/);
    bad({ contains: { type: "string" }, maxContains: 1 }, ["a", "b"], /at most 1 matching/);
  });

  it("enum and const compare JSON values deeply", () => {
    ok({ enum: ["a", { b: [1] }] }, { b: [1] });
    bad({ enum: ["a", "b"] }, "c", /must be one of "a", "b"/);
    bad({ const: { x: 1 } }, { x: 2 }, /must be \{"x":1\}/);
  });

  it("allOf, anyOf (reporting the nearest alternative), oneOf, not, if/then/else", () => {
    bad({ allOf: [{ minimum: 1 }, { maximum: 2 }] }, 3, /<= 2/);
    ok({ anyOf: [{ type: "string" }, { type: "number" }] }, 1);
    bad(
      { anyOf: [{ type: "string" }, { type: "object", required: ["a", "b"] }] },
      1,
      /expected string, got integer \(must match at least one/,
    );
    bad({ oneOf: [{ type: "number" }, { type: "integer" }] }, 1, /exactly one .*\(matches 2\)/);
    ok({ oneOf: [{ type: "number" }, { type: "integer" }] }, 1.5);
    bad({ not: { type: "null" } }, null, /must not match/);
    const conditional = { if: { properties: { kind: { const: "card" } } }, then: { required: ["number"] }, else: { required: ["iban"] } };
    bad(conditional, { kind: "card" }, /^number: required$/);
    bad(conditional, { kind: "bank" }, /^iban: required$/);
  });

  it("$ref: local pointers, $defs and recursion", () => {
    const tree = {
      $defs: {
        node: {
          type: "object",
          properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } },
          required: ["name"],
        },
      },
      $ref: "#/$defs/node",
    };
    ok(tree, { name: "root", children: [{ name: "leaf" }] });
    bad(tree, { name: "root", children: [{ children: [] }] }, /^children\.0\.name: required$/);
    const list = { type: "object", properties: { next: { $ref: "#" } } };
    bad(list, { next: { next: { next: 5 } } }, /^next\.next\.next: expected object/);
  });

  it("a value nested deeper than the stack allows is a problem, not a crash", () => {
    const list = { type: "object", properties: { next: { $ref: "#" } } };
    let value: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) value = { next: value };
    assert.deepEqual(problems(list, value), ["(root): nested too deeply to validate"]);
  });

  it("alternatives that recurse cannot make a client's value take exponential time: past a budget it is refused", () => {
    // Each level has two alternatives that both descend: naive evaluation needs 2^depth steps.
    const branchy = {
      $defs: {
        n: {
          anyOf: [
            { type: "object", required: ["a"], properties: { next: { $ref: "#/$defs/n" } } },
            { type: "object", required: ["b"], properties: { next: { $ref: "#/$defs/n" } } },
          ],
        },
      },
      $ref: "#/$defs/n",
    };
    let value: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) value = { next: value };
    assert.deepEqual(problems(branchy, value), ["(root): too complex to validate (more than 1000000 schema checks)"]);
    // A shallow value is judged as usual by the same validator.
    bad(branchy, { next: {} }, /must match at least one of the allowed schemas/);
    ok(branchy, { a: 1, next: { b: 2 } });
  });

  it("annotations and unknown keywords are not assertions: format, title, default, x-…", () => {
    ok(
      { type: "string", format: "email", title: "t", description: "d", default: "x", examples: ["y"], "x-mcp-header": "X-Thing" },
      "not an email",
    );
  });

  it("true accepts anything and false nothing", () => {
    ok(true, { any: "thing" });
    bad(false, 1, /no value is allowed/);
  });

  it("reports at most ten problems (and says how many more)", () => {
    const found = problems({
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, { type: "string" }])),
    }, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, i])));
    assert.ok(found.length <= 11, JSON.stringify(found));
    const manyRequired = problems({ required: Array.from({ length: 30 }, (_, i) => `r${i}`) }, {});
    assert.equal(manyRequired.length, 11);
    assert.match(manyRequired[10], /… and 20 more/);
  });
});

describe("compileJsonSchema: schemas it cannot enforce are refused", () => {
  for (
    const [schema, message] of [
      [{ type: "object", unevaluatedProperties: false }, /"unevaluatedProperties" is not supported/],
      [{ properties: { a: { $dynamicRef: "#meta" } } }, /#\/properties\/a: the JSON Schema keyword "\$dynamicRef"/],
      [{ $ref: "https://example.com/schema.json" }, /only references inside the schema/],
      [{ $ref: "#/$defs/missing" }, /points at nothing/],
      [{ type: "text" }, /#\/type: must be one of/],
      [{ pattern: "(" }, /not a valid regular expression/],
      [{ minLength: -1 }, /non-negative integer/],
      [{ required: "a" }, /must be an array of strings/],
      [{ anyOf: [] }, /non-empty array/],
      [{ multipleOf: 0 }, /greater than 0/],
      [{ properties: { a: { $id: "https://example.com/a", $ref: "#/$defs/x" } } }, /nested "\$id" is not supported/],
    ] as const
  ) {
    it(`${JSON.stringify(schema)} → TypeError`, () => {
      assert.throws(
        () => compileJsonSchema(schema as Record<string, unknown>),
        (e: Error) => e instanceof TypeError && message.test(e.message),
      );
    });
  }

  it("a tool with such a schema fails when the server is created, not on the first call", () => {
    const tool = defineTool({ name: "t", inputSchema: { type: "object", unevaluatedProperties: false }, handler: () => "x" });
    assert.throws(() => server({ tools: [tool] }), /unevaluatedProperties/);
  });
});

describe("zod schemas that make no tool schema fail when the server is created, naming the tool", () => {
  // Converted at createServer on purpose (converting on first listing would start faster, but a bad
  // schema would then break tools/list and the tool's 2026-07-28 calls on a server that started).
  it("a schema that does not describe an object", () => {
    const tool = defineTool({ name: "shout", inputSchema: z.string() as never, handler: () => "x" });
    assert.throws(
      () => server({ tools: [tool] }),
      (e: Error) => e instanceof TypeError && /^Tool shout: A tool input schema must describe an object/.test(e.message),
    );
  });

  it("an object schema zod cannot convert (two schemas sharing one id)", () => {
    const tool = defineTool({
      name: "pair",
      inputSchema: z.object({ a: z.string().meta({ id: "X" }), b: z.number().meta({ id: "X" }) }),
      handler: () => "x",
    });
    assert.throws(
      () => server({ tools: [tool] }),
      (e: Error) => e instanceof TypeError && /^Tool pair: Duplicate schema id "X"/.test(e.message),
    );
  });

  it("an output schema too", () => {
    const tool = defineTool({ name: "count", outputSchema: z.array(z.number()) as never, handler: () => "x" });
    assert.throws(() => server({ tools: [tool] }), /^TypeError: Tool count: A tool output schema must describe an object/);
  });
});

describe("tools declared with a plain JSON Schema", () => {
  let ran = 0;
  const tools = [
    defineTool({
      name: "transfer",
      inputSchema: {
        type: "object",
        properties: { amount: { type: "number", exclusiveMinimum: 0 }, currency: { enum: ["EUR", "USD"] } },
        required: ["amount", "currency"],
        additionalProperties: false,
      },
      handler: (args: Record<string, unknown>) => {
        ran++;
        return `sent ${args.amount} ${args.currency}`;
      },
    }),
    defineTool({
      name: "report",
      outputSchema: { type: "object", properties: { total: { type: "number" } }, required: ["total"] },
      handler: (args: Record<string, unknown>) => (args.broken ? { total: "lots" } : { total: 3 }),
    }),
  ];
  const s = server({ tools });

  it("valid arguments run the handler", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "transfer", arguments: { amount: 5, currency: "EUR" } });
    assert.equal(r.result.content[0].text, "sent 5 EUR");
  });

  it("invalid arguments are a tool error naming each field, and the handler does not run", async () => {
    const { session } = await initialize(s);
    const before = ran;
    const r = await call(s, session, "tools/call", { name: "transfer", arguments: { amount: -5, currency: "GBP", memo: "x" } });
    assert.equal(r.result.isError, true);
    const text = r.result.content[0].text;
    assert.match(text, /^Invalid arguments for tool transfer: /);
    assert.match(text, /amount: must be > 0/);
    assert.match(text, /currency: must be one of "EUR", "USD"/);
    assert.match(text, /memo: is not an allowed property/);
    assert.equal(ran, before);
  });

  it("missing required arguments name each one", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "transfer", arguments: {} });
    assert.equal(r.result.isError, true);
    assert.match(r.result.content[0].text, /amount: required; currency: required/);
  });

  it("structured output that breaks a plain outputSchema is an internal error, not a result", async () => {
    const { session } = await initialize(s);
    const good = await call(s, session, "tools/call", { name: "report", arguments: {} });
    assert.deepEqual(good.result.structuredContent, { total: 3 });
    const r = await call(s, session, "tools/call", { name: "report", arguments: { broken: true } });
    assert.equal(r.error.code, -32603);
    assert.match(r.error.message, /does not match its outputSchema: total: expected number, got string/);
  });

  it("tools/list still advertises the schema exactly as written", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/list");
    assert.deepEqual(r.result.tools[0].inputSchema, tools[0].inputSchema);
  });
});
