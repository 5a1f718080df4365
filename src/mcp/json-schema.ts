/**
 * @module Validation against a plain JSON Schema (2020-12, draft-07 spellings too), compiled once per schema: tools declared without zod get their arguments checked like zod ones, and a schema keyword that would not be enforced is refused when the tool is defined instead of being skipped silently.
 */

/** Checks a value; returns the problems as `path: message` strings (empty when the value is valid). */
export type JsonSchemaValidator = (value: unknown) => string[];

type Check = (value: unknown, path: string, out: string[]) => void;
type Schema = boolean | Record<string, unknown>;

/** Assertions this validator does not implement: a schema using one is refused, never half-checked. */
const UNSUPPORTED = new Set([
  "unevaluatedProperties",
  "unevaluatedItems",
  "$dynamicRef",
  "$dynamicAnchor",
  "$recursiveRef",
  "$recursiveAnchor",
]);

const TYPES = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);

/** At most this many problems are reported for one value (the rest would only repeat the point). */
const MAX_PROBLEMS = 10;

/**
 * At most this many schema nodes are evaluated for one value: alternatives that recurse (`anyOf`,
 * `oneOf`, `if` over a recursive `$ref`) can need exponentially many, and the value comes from the
 * client, so past this the value is refused instead of the server spinning.
 */
const MAX_STEPS = 1_000_000;
const TOO_COMPLEX = new Error("too complex");

/**
 * Compiles `schema` into a validator. Throws a `TypeError` naming the keyword for a schema it cannot
 * enforce: an unsupported assertion (`unevaluatedProperties`, `$dynamicRef`, …), a nested `$id`, a `$ref` outside
 * the schema (only `#…` JSON pointers), or a malformed keyword value. Unknown keywords are ignored,
 * as JSON Schema says; `format` is an annotation (2020-12's default) and is not checked.
 *
 * @example
 * ```ts
 * import { compileJsonSchema } from "gatehouse";
 *
 * const check = compileJsonSchema({ type: "object", properties: { n: { type: "integer", minimum: 1 } }, required: ["n"] });
 * check({ n: 0 }); // ["n: must be >= 1"]
 * ```
 */
export function compileJsonSchema(schema: Record<string, unknown> | boolean): JsonSchemaValidator {
  const compiled = new Map<string, Check>();
  const root = schema;
  let steps = 0;

  const resolve = (ref: string, at: string): Check => {
    if (!ref.startsWith("#")) {
      throw new TypeError(`${at}: $ref ${JSON.stringify(ref)} is not supported (only references inside the schema, "#/…")`);
    }
    const known = compiled.get(ref);
    if (known) return known;
    // Registered before its target is compiled, so a recursive schema refers to itself without looping.
    const lazy: Check = (v, p, out) => target(v, p, out);
    compiled.set(ref, lazy);
    const target = compileAt(pointer(root, ref, at), ref);
    return lazy;
  };

  function compileAt(s: unknown, at: string): Check {
    if (s === true) return () => {};
    if (s === false) return (_v, p, out) => void out.push(`${label(p)}: no value is allowed here`);
    if (typeof s !== "object" || s === null || Array.isArray(s)) throw new TypeError(`${at}: a schema must be an object or a boolean`);
    const checks: Check[] = [];
    const k = s as Record<string, unknown>;
    // Anything else not handled below (title, format, x-… vendor keywords) describes and is not checked.
    for (const key of Object.keys(k)) {
      if (UNSUPPORTED.has(key)) {
        throw new TypeError(`${at}: the JSON Schema keyword "${key}" is not supported; use a zod schema or leave it out`);
      }
    }
    // A nested $id starts a new base for the references under it, which `#…` here would misread.
    if (at !== "#" && k.$id !== undefined) throw new TypeError(`${at}: a nested "$id" is not supported (references resolve from the root)`);
    if (k.$ref !== undefined) checks.push(resolve(str(k.$ref, `${at}/$ref`), `${at}/$ref`));
    if (k.type !== undefined) checks.push(typeCheck(k.type, at));
    if (k.enum !== undefined) {
      if (!Array.isArray(k.enum)) throw new TypeError(`${at}/enum: must be an array`);
      const options = k.enum;
      checks.push((v, p, out) => {
        if (!options.some((o) => equal(o, v))) out.push(`${label(p)}: must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
      });
    }
    if ("const" in k) {
      const c = k.const;
      checks.push((v, p, out) => void (!equal(c, v) && out.push(`${label(p)}: must be ${JSON.stringify(c)}`)));
    }
    numberChecks(k, at, checks);
    stringChecks(k, at, checks);
    arrayChecks(k, at, checks);
    objectChecks(k, at, checks);
    combinators(k, at, checks);
    const node: Check = checks.length === 1 ? checks[0] : (v, p, out) => {
      for (const c of checks) c(v, p, out);
    };
    return (v, p, out) => {
      if (++steps > MAX_STEPS) throw TOO_COMPLEX;
      node(v, p, out);
    };
  }

  function numberChecks(k: Record<string, unknown>, at: string, checks: Check[]) {
    const bound = (key: string, fails: (v: number, b: number) => boolean, says: string) => {
      if (k[key] === undefined) return;
      const b = num(k[key], `${at}/${key}`);
      checks.push((v, p, out) => void (typeof v === "number" && fails(v, b) && out.push(`${label(p)}: must be ${says} ${b}`)));
    };
    bound("minimum", (v, b) => v < b, ">=");
    bound("maximum", (v, b) => v > b, "<=");
    bound("exclusiveMinimum", (v, b) => v <= b, ">");
    bound("exclusiveMaximum", (v, b) => v >= b, "<");
    if (k.multipleOf !== undefined) {
      const m = num(k.multipleOf, `${at}/multipleOf`);
      if (!(m > 0)) throw new TypeError(`${at}/multipleOf: must be greater than 0`);
      checks.push((v, p, out) => {
        if (typeof v !== "number") return;
        const q = v / m;
        if (Math.abs(q - Math.round(q)) > 1e-9) out.push(`${label(p)}: must be a multiple of ${m}`);
      });
    }
  }

  function stringChecks(k: Record<string, unknown>, at: string, checks: Check[]) {
    // Length in characters (code points), as JSON Schema counts them, not UTF-16 units.
    sizeChecks(k, at, checks, "Length", (v) => (typeof v === "string" ? codePoints(v) : undefined), "characters");
    if (k.pattern !== undefined) {
      const source = str(k.pattern, `${at}/pattern`);
      const re = regex(source, `${at}/pattern`);
      checks.push((v, p, out) => void (typeof v === "string" && !re.test(v) && out.push(`${label(p)}: must match the pattern ${source}`)));
    }
  }

  function arrayChecks(k: Record<string, unknown>, at: string, checks: Check[]) {
    // Draft-07 tuples (`items` as an array, then `additionalItems`) mean what 2020-12's prefixItems/items mean.
    const tuple = Array.isArray(k.items) ? k.items : k.prefixItems;
    const rest = Array.isArray(k.items) ? k.additionalItems : k.items;
    if (tuple !== undefined) {
      if (!Array.isArray(tuple)) throw new TypeError(`${at}/prefixItems: must be an array of schemas`);
      const each = tuple.map((t, i) => compileAt(t, `${at}/prefixItems/${i}`));
      checks.push((v, p, out) => {
        if (Array.isArray(v)) { for (let i = 0; i < Math.min(v.length, each.length); i++) each[i](v[i], join(p, i), out); }
      });
    }
    if (rest !== undefined) {
      const item = compileAt(rest, `${at}/items`);
      const from = Array.isArray(tuple) ? tuple.length : 0;
      checks.push((v, p, out) => {
        if (Array.isArray(v)) { for (let i = from; i < v.length && out.length < MAX_PROBLEMS; i++) item(v[i], join(p, i), out); }
      });
    }
    sizeChecks(k, at, checks, "Items", (v) => (Array.isArray(v) ? v.length : undefined), "items");
    if (k.uniqueItems === true) {
      checks.push((v, p, out) => {
        if (!Array.isArray(v)) return;
        // One canonical form per item (keys sorted): linear, where pairwise comparison is quadratic.
        const seen = new Map<string, number>();
        for (let i = 0; i < v.length; i++) {
          const key = canonical(v[i]);
          const j = seen.get(key);
          if (j !== undefined) return void out.push(`${label(p)}: items must be unique (${j} and ${i} are equal)`);
          seen.set(key, i);
        }
      });
    }
    if (k.contains !== undefined) {
      const c = compileAt(k.contains, `${at}/contains`);
      const min = k.minContains === undefined ? 1 : count(k.minContains, `${at}/minContains`);
      const max = k.maxContains === undefined ? Infinity : count(k.maxContains, `${at}/maxContains`);
      checks.push((v, p, out) => {
        if (!Array.isArray(v)) return;
        const n = v.filter((x) => passes(c, x)).length;
        if (n < min) out.push(`${label(p)}: must contain at least ${min} matching item${min === 1 ? "" : "s"}`);
        else if (n > max) out.push(`${label(p)}: must contain at most ${max} matching items`);
      });
    }
  }

  function objectChecks(k: Record<string, unknown>, at: string, checks: Check[]) {
    const properties = k.properties === undefined ? {} : record(k.properties, `${at}/properties`);
    const props = new Map(Object.entries(properties).map(([name, s]) => [name, compileAt(s, `${at}/properties/${name}`)]));
    const patterns = Object.entries(k.patternProperties === undefined ? {} : record(k.patternProperties, `${at}/patternProperties`))
      .map(([source, s]) => [regex(source, `${at}/patternProperties`), compileAt(s, `${at}/patternProperties/${source}`)] as const);
    const additional = k.additionalProperties === undefined ? undefined : compileAt(k.additionalProperties, `${at}/additionalProperties`);
    const closed = k.additionalProperties === false;
    if (k.required !== undefined) {
      const required = strings(k.required, `${at}/required`);
      checks.push((v, p, out) => {
        if (isObject(v)) { for (const name of required) if (!Object.hasOwn(v, name)) out.push(`${label(join(p, name))}: required`); }
      });
    }
    if (props.size || patterns.length || additional) {
      checks.push((v, p, out) => {
        if (!isObject(v)) return;
        for (const name of Object.keys(v)) {
          if (out.length >= MAX_PROBLEMS) return;
          const at = join(p, name);
          const own = props.get(name);
          let matched = own !== undefined;
          own?.(v[name], at, out);
          for (const [re, check] of patterns) {
            if (re.test(name)) {
              matched = true;
              check(v[name], at, out);
            }
          }
          if (!matched && additional) {
            if (closed) out.push(`${label(at)}: is not an allowed property`);
            else additional(v[name], at, out);
          }
        }
      });
    }
    if (k.propertyNames !== undefined) {
      const names = compileAt(k.propertyNames, `${at}/propertyNames`);
      checks.push((v, p, out) => {
        if (isObject(v)) {
          for (const name of Object.keys(v)) {
            if (!passes(names, name)) out.push(`${label(join(p, name))}: is not an allowed property name`);
          }
        }
      });
    }
    sizeChecks(k, at, checks, "Properties", (v) => (isObject(v) ? Object.keys(v).length : undefined), "properties");
    // Draft-07 `dependencies` holds both kinds 2019-09 split into dependentRequired and dependentSchemas.
    const dependencies = { ...(k.dependencies === undefined ? {} : record(k.dependencies, `${at}/dependencies`)) };
    for (
      const [name, d] of Object.entries(k.dependentRequired === undefined ? {} : record(k.dependentRequired, `${at}/dependentRequired`))
    ) {
      dependencies[name] = strings(d, `${at}/dependentRequired/${name}`);
    }
    Object.assign(dependencies, k.dependentSchemas === undefined ? {} : record(k.dependentSchemas, `${at}/dependentSchemas`));
    for (const [name, d] of Object.entries(dependencies)) {
      if (Array.isArray(d)) {
        const needed = strings(d, `${at}/dependentRequired/${name}`);
        checks.push((v, p, out) => {
          if (isObject(v) && Object.hasOwn(v, name)) {
            for (const other of needed) {
              if (!Object.hasOwn(v, other)) out.push(`${label(join(p, other))}: required when ${name} is present`);
            }
          }
        });
      } else {
        const check = compileAt(d, `${at}/dependentSchemas/${name}`);
        checks.push((v, p, out) => void (isObject(v) && Object.hasOwn(v, name) && check(v, p, out)));
      }
    }
  }

  function combinators(k: Record<string, unknown>, at: string, checks: Check[]) {
    const list = (key: string) => {
      const v = k[key];
      if (!Array.isArray(v) || v.length === 0) throw new TypeError(`${at}/${key}: must be a non-empty array of schemas`);
      return v.map((s, i) => compileAt(s, `${at}/${key}/${i}`));
    };
    if (k.allOf !== undefined) {
      const all = list("allOf");
      checks.push((v, p, out) => {
        for (const c of all) c(v, p, out);
      });
    }
    if (k.anyOf !== undefined) {
      const any = list("anyOf");
      checks.push((v, p, out) => {
        // Each alternative is evaluated once (until one matches): its problems are kept for the report.
        const failed: string[][] = [];
        for (const c of any) {
          const problems = problemsOf(c, v, p);
          if (problems.length === 0) return;
          failed.push(problems);
        }
        out.push(nearest(failed, p, "must match at least one of the allowed schemas"));
      });
    }
    if (k.oneOf !== undefined) {
      const one = list("oneOf");
      checks.push((v, p, out) => {
        const outcomes = one.map((c) => problemsOf(c, v, p));
        const n = outcomes.filter((o) => o.length === 0).length;
        if (n === 0) out.push(nearest(outcomes, p, "must match exactly one of the allowed schemas"));
        else if (n > 1) out.push(`${label(p)}: must match exactly one of the allowed schemas (matches ${n})`);
      });
    }
    if (k.not !== undefined) {
      const not = compileAt(k.not, `${at}/not`);
      checks.push((v, p, out) => void (passes(not, v) && out.push(`${label(p)}: must not match the excluded schema`)));
    }
    if (k.if !== undefined) {
      const cond = compileAt(k.if, `${at}/if`);
      const then = k.then === undefined ? undefined : compileAt(k.then, `${at}/then`);
      const otherwise = k.else === undefined ? undefined : compileAt(k.else, `${at}/else`);
      checks.push((v, p, out) => (passes(cond, v) ? then : otherwise)?.(v, p, out));
    }
  }

  const check = compileAt(schema, "#");
  return (value) => {
    const out: string[] = [];
    steps = 0;
    try {
      check(value, "", out);
    } catch (error) {
      // A recursive schema walking a value nested deeper than the stack allows.
      if (error instanceof RangeError) return ["(root): nested too deeply to validate"];
      if (error === TOO_COMPLEX) return [`(root): too complex to validate (more than ${MAX_STEPS} schema checks)`];
      throw error;
    }
    return out.length > MAX_PROBLEMS ? [...out.slice(0, MAX_PROBLEMS), `… and ${out.length - MAX_PROBLEMS} more`] : out;
  };
}

/** `min<Name>`/`max<Name>` (Length, Items, Properties): a count of the value, where `measure` applies, against a bound. */
function sizeChecks(
  k: Record<string, unknown>,
  at: string,
  checks: Check[],
  name: string,
  measure: (v: unknown) => number | undefined,
  unit: string,
) {
  for (const least of [true, false]) {
    const key = `${least ? "min" : "max"}${name}`;
    if (k[key] === undefined) continue;
    const bound = count(k[key], `${at}/${key}`);
    checks.push((v, p, out) => {
      const n = measure(v);
      if (n !== undefined && (least ? n < bound : n > bound)) {
        out.push(`${label(p)}: must have ${least ? "at least" : "at most"} ${bound} ${unit}`);
      }
    });
  }
}

function typeCheck(type: unknown, at: string): Check {
  const types = typeof type === "string" ? [type] : Array.isArray(type) ? type : undefined;
  if (!types || types.length === 0 || !types.every((t) => typeof t === "string" && TYPES.has(t))) {
    throw new TypeError(`${at}/type: must be one of ${[...TYPES].join(", ")} (or an array of them)`);
  }
  const names = types as string[];
  return (v, p, out) =>
    void (!names.some((t) => isType(v, t)) && out.push(`${label(p)}: expected ${names.join(" or ")}, got ${typeName(v)}`));
}

function isType(v: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "integer":
      return Number.isInteger(v);
    case "null":
      return v === null;
    case "number":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    default:
      return typeof v === "boolean";
  }
}

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const label = (path: string) => path || "(root)";
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

function passes(check: Check, value: unknown): boolean {
  return problemsOf(check, value, "").length === 0;
}

function problemsOf(check: Check, value: unknown, path: string): string[] {
  const out: string[] = [];
  check(value, path, out);
  return out;
}

/** For anyOf/oneOf matching nothing: the nearest alternative's problem says more than "matches none". */
function nearest(outcomes: string[][], path: string, fallback: string): string {
  const best = outcomes.reduce((a, b) => (b.length < a.length ? b : a));
  return best.length === 1 ? `${best[0]} (${fallback})` : `${label(path)}: ${fallback}`;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => equal(x, (b as unknown[])[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length &&
    ka.every((key) => Object.hasOwn(b, key) && equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function canonical(v: unknown): string {
  if (typeof v !== "object" || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) n--, i++;
    }
  }
  return n;
}

/** Follows a `#/a/b` JSON pointer (RFC 6901 escapes) inside the root schema. */
function pointer(root: Schema, ref: string, at: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) throw new TypeError(`${at}: $ref ${JSON.stringify(ref)} is not supported (only JSON pointers, "#/…")`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) {
      throw new TypeError(`${at}: $ref ${JSON.stringify(ref)} points at nothing`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function str(v: unknown, at: string): string {
  if (typeof v !== "string") throw new TypeError(`${at}: must be a string`);
  return v;
}

function num(v: unknown, at: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${at}: must be a number`);
  return v;
}

function count(v: unknown, at: string): number {
  if (!Number.isInteger(v) || (v as number) < 0) throw new TypeError(`${at}: must be a non-negative integer`);
  return v as number;
}

function strings(v: unknown, at: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new TypeError(`${at}: must be an array of strings`);
  return v;
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError(`${at}: must be an object`);
  return v as Record<string, unknown>;
}

function regex(source: string, at: string): RegExp {
  try {
    return new RegExp(source, "u");
  } catch {
    throw new TypeError(`${at}: ${JSON.stringify(source)} is not a valid regular expression`);
  }
}
