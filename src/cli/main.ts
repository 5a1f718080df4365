#!/usr/bin/env bun
/** @module The `gatehouse` command line (`deno run -A src/cli/main.ts login …`, `bun run src/cli/main.ts login …`): argument parsing; the runtime pieces live in src/runtime/cli-io.ts. */
import { login, LoginError, type LoginOptions } from "./login.ts";
import { check, keygen } from "./commands.ts";
import { ConfigError, startupWarnings } from "../config/env.ts";
import { serverFromEnv } from "../app.ts";
import { demo } from "../demo.ts";
import { processEnv } from "../runtime/entry.ts";
import { listen } from "../runtime/listen.ts";
import { argv, nodeLoopbackListen, openBrowser, setExitCode, writePrivateFile } from "../runtime/cli-io.ts";

const COMMANDS = `usage: gatehouse <command>

  serve               start the server configured by the environment (the demo's tools)
  check               validate the environment and print the effective setup (never a secret)
  keygen [--jwk]      print fresh secrets (and an ES256 key pair with --jwk)
  login ...           get a token from a server's authorization server (see: gatehouse login --help)`;

const USAGE = `usage: gatehouse login (--server <mcp url> | --issuer <issuer url>) [options]

  --server URL            an MCP server URL: follow its 401 to the resource metadata and the authorization server
  --issuer URL            an authorization server's issuer identifier
  --client-id ID          a registered client (default: CIMD or Dynamic Client Registration)
  --client-secret SECRET  for confidential clients
  --client-metadata-url U a Client ID Metadata Document URL to use as client id
  --scope "A B"           scopes to request (default: the resource's scopes_supported)
  --resource URL          RFC 8707 resource (default: the --server URL)
  --port N                loopback port for the redirect (default: random)
  --timeout SECONDS       how long to wait for the browser (default 300)
  --out FILE              write the token response (JSON) to FILE with mode 0600 instead of printing the token
  --no-browser            print the URL only
  --json                  print the whole token response as JSON`;

/** Parses `login` arguments. Throws `Error` with a one-line message for a bad or missing argument. */
export function parseLoginArgs(
  argv: readonly string[],
): { options: Omit<LoginOptions, "listen">; out?: string; json: boolean; browser: boolean } {
  const flags: Record<string, string> = {};
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-browser" || arg === "--json") {
      bools.add(arg);
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    flags[m[1]] = value;
  }
  const known = ["server", "issuer", "client-id", "client-secret", "client-metadata-url", "scope", "resource", "port", "timeout", "out"];
  for (const name of Object.keys(flags)) if (!known.includes(name)) throw new Error(`unknown option --${name}`);
  if (!!flags.server === !!flags.issuer) throw new Error("give exactly one of --server or --issuer");
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port: expected 0 to 65535");
  const timeout = flags.timeout === undefined ? 300 : Number(flags.timeout);
  if (!(timeout > 0)) throw new Error("--timeout: expected a positive number of seconds");
  const common = {
    clientId: flags["client-id"],
    clientSecret: flags["client-secret"],
    clientMetadataUrl: flags["client-metadata-url"],
    scopes: flags.scope?.split(/[\s,]+/).filter((s) => s !== ""),
    resource: flags.resource,
    port,
    timeoutMs: timeout * 1000,
  };
  const options = flags.server ? { ...common, server: flags.server } : { ...common, issuer: flags.issuer };
  return { options, out: flags.out, json: bools.has("--json"), browser: !bools.has("--no-browser") };
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "keygen") {
    for (const line of await keygen({ jwk: rest.includes("--jwk") })) console.log(line);
    return 0;
  }
  if (command === "check") {
    const result = check(processEnv());
    for (const line of result.lines) (result.ok ? console.log : console.error)(line);
    return result.ok ? 0 : 1;
  }
  if (command === "serve") return await serve();
  if (command !== "login") {
    console.error(
      command === undefined || command === "--help" || command === "help"
        ? COMMANDS
        : `gatehouse: unknown command ${JSON.stringify(command)}\n\n${COMMANDS}`,
    );
    return command === undefined || command === "--help" || command === "help" ? 0 : 2;
  }
  if (rest.includes("--help")) {
    console.error(USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseLoginArgs(rest);
  } catch (error) {
    console.error(`gatehouse login: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    const result = await login({
      ...parsed.options,
      listen: nodeLoopbackListen,
      openBrowser: parsed.browser ? openBrowser : undefined,
      print: (line) => console.error(line),
    } as LoginOptions);
    if (parsed.out) {
      writePrivateFile(parsed.out, JSON.stringify(result, null, 2) + "\n");
      console.error(`Token written to ${parsed.out} (mode 0600)`);
    } else {
      console.log(parsed.json ? JSON.stringify(result, null, 2) : result.accessToken);
    }
    return 0;
  } catch (error) {
    console.error(`gatehouse login: ${error instanceof LoginError ? `${error.message} [${error.code}]` : (error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) setExitCode(await main(argv()));

/** `gatehouse serve`: the configured server with the demo definitions, until the process is stopped. */
async function serve(): Promise<number> {
  try {
    const { server, config } = await serverFromEnv(processEnv(), demo);
    for (const warning of startupWarnings(config)) console.warn(`gatehouse: WARNING: ${warning}`);
    const { port } = listen(server.fetch, { port: config.port, hostname: config.hostname });
    console.log(`gatehouse: serving MCP at ${config.publicUrl}/mcp on ${config.hostname}:${port} (auth: ${config.auth.strategy})`);
    await new Promise(() => {}); // serve until killed
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gatehouse: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
