/**
 * @module Tool schemas: zod schemas converted once to JSON Schema 2020-12, or plain JSON Schema passed through; both validate arguments.
 */
import { z } from "zod";
import { compileJsonSchema, type JsonSchemaValidator } from "./json-schema.ts";

/** A plain JSON Schema object for tools that do not use zod. */
export type JsonSchemaObject = { type: "object"; [key: string]: unknown };

/** What a tool may declare as its input or output schema. */
export type SchemaLike = z.ZodType | JsonSchemaObject;

export const isZod = (s: unknown): s is z.ZodType =>
  typeof s === "object" && s !== null && "_zod" in s && typeof (s as z.ZodType).safeParse === "function";

/**
 * Converts a schema to the JSON Schema advertised in `tools/list`. Zod's own converter keeps
 * `$defs` and `additionalProperties`; the `$schema` keyword is dropped because 2020-12 is MCP's
 * default dialect (2025-11-25, SEP-1613) and some clients reject the keyword.
 */
export function toJsonSchema(schema: SchemaLike, io: "input" | "output"): Record<string, unknown> {
  if (!isZod(schema)) {
    plainValidator(schema); // compiled now, so a schema it cannot enforce fails at definition time
    return schema;
  }
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  if (json.type !== "object") {
    throw new TypeError(`A tool ${io} schema must describe an object (got ${JSON.stringify(json.type)})`);
  }
  return json;
}

/** The outcome of validating arguments: the parsed value, or a readable message naming each bad field. */
export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

const plainValidators = new WeakMap<Record<string, unknown>, JsonSchemaValidator>();

/** A plain JSON Schema's validator, compiled once per schema object (tool schemas, elicitation's requestedSchema). */
export function plainValidator(schema: Record<string, unknown>): JsonSchemaValidator {
  let check = plainValidators.get(schema);
  if (!check) plainValidators.set(schema, check = compileJsonSchema(schema));
  return check;
}

export function validate<T>(schema: SchemaLike | undefined, value: unknown): Validation<T> {
  if (!schema || !isZod(schema)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, message: "arguments must be an object" };
    }
    const problems = schema ? plainValidator(schema)(value) : [];
    return problems.length ? { ok: false, message: problems.join("; ") } : { ok: true, value: value as T };
  }
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data as T };
  const message = r.error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
  return { ok: false, message };
}
