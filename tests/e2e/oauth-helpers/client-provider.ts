/**
 * @module An in-memory OAuthClientProvider, the shape both SDK generations accept (`@modelcontextprotocol/sdk` 1.x and `@modelcontextprotocol/client` 2.x): it records what the SDK asks of it and, instead of opening a browser, keeps the authorization URL for the test to drive.
 */

export interface RecordedProvider {
  readonly redirectUrl: string;
  readonly clientMetadata: Record<string, unknown>;
  state(): string;
  clientInformation(): any;
  saveClientInformation(info: any): void;
  tokens(): any;
  saveTokens(tokens: any): void;
  redirectToAuthorization(url: URL): void;
  saveCodeVerifier(verifier: string): void;
  codeVerifier(): string;
  invalidateCredentials(scope: string): void;
  saveDiscoveryState(state: any): void;
  discoveryState(): any;
  /** What the SDK did, in order. */
  readonly events: string[];
  /** Every authorization URL the SDK wanted to open. */
  readonly authorizationUrls: URL[];
  /** Every token set saved, in order. */
  readonly savedTokens: any[];
  /** The state the provider handed out last. */
  lastState?: string;
  client?: any;
  current?: any;
  verifier?: string;
  discovery?: any;
}

export function recordedProvider(redirectUrl: string, clientName: string): RecordedProvider {
  const p: RecordedProvider = {
    redirectUrl,
    clientMetadata: {
      client_name: clientName,
      redirect_uris: [redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    },
    events: [],
    authorizationUrls: [],
    savedTokens: [],
    state() {
      p.lastState = `st-${crypto.randomUUID()}`;
      return p.lastState;
    },
    clientInformation() {
      return p.client;
    },
    saveClientInformation(info) {
      p.events.push("saveClientInformation");
      p.client = info;
    },
    tokens() {
      return p.current;
    },
    saveTokens(tokens) {
      p.events.push("saveTokens");
      p.savedTokens.push(tokens);
      p.current = tokens;
    },
    redirectToAuthorization(url) {
      p.events.push("redirectToAuthorization");
      p.authorizationUrls.push(new URL(url));
    },
    saveCodeVerifier(verifier) {
      p.verifier = verifier;
    },
    codeVerifier() {
      if (!p.verifier) throw new Error("no code verifier saved");
      return p.verifier;
    },
    // SEP-2352 (v2 SDK): the discovered authorization server is kept with the verifier, so the
    // callback leg can be checked against the server the login started at.
    saveDiscoveryState(state) {
      p.discovery = state;
    },
    discoveryState() {
      return p.discovery;
    },
    invalidateCredentials(scope) {
      p.events.push(`invalidateCredentials:${scope}`);
      if (scope === "all" || scope === "tokens") p.current = undefined;
      if (scope === "all" || scope === "client") p.client = undefined;
      if (scope === "all" || scope === "verifier") p.verifier = undefined;
      if (scope === "all" || scope === "discovery") p.discovery = undefined;
    },
  };
  return p;
}
