/**
 * @module Gatehouse's public API: everything an application imports. Anything not exported here is free to change.
 */
export { createServer, type GatehouseServer, type RateLimitSettings, type ServerOptions } from "./server.ts";
export { type CallToolResult, type ContentBlock, defineTool, type ToolAnnotations, type ToolDefinition, toolError } from "./mcp/tools.ts";
export { compileJsonSchema } from "./mcp/json-schema.ts";
export {
  defineResource,
  defineResourceTemplate,
  type ResourceContents,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
} from "./mcp/resources.ts";
export { definePrompt, type GetPromptResult, type PromptDefinition } from "./mcp/prompts.ts";
export type { AskOptions, ElicitParams, ElicitResult, HandlerContext, LogLevel, SampleParams, SampleResult } from "./mcp/context.ts";
export { ErrorCode, McpError } from "./mcp/jsonrpc.ts";
export { LATEST_VERSION, SUPPORTED_VERSIONS } from "./mcp/protocol.ts";
export type { Handler, RequestContext, RequestInfo, Stage } from "./http/pipeline.ts";
export type { Identity, StrategyName } from "./auth/identity.ts";
export type { AuthResult, AuthStrategy } from "./auth/strategy.ts";
export { none } from "./auth/none.ts";
export { bearer, type BearerOptions } from "./auth/bearer.ts";
export { apiKey, type ApiKeyOptions } from "./auth/api-key.ts";
export { custom, type CustomOptions } from "./auth/custom.ts";
export { assertProviderToken } from "./auth/assert.ts";
export { jwt, type JwtOptions, type JwtStrategy } from "./auth/jwt.ts";
export * as jwtProviders from "./auth/presets.ts";
export type { ProviderPreset } from "./auth/presets.ts";
export { type ProtectedResourceMetadata, protectedResourceMetadata, resourceMetadataUrl } from "./auth/resource-metadata.ts";
export { JoseError } from "./auth/jwt-errors.ts";
export { requireAuth, scopeHierarchy } from "./auth/scopes.ts";
export { rateLimit, type ToolMiddleware } from "./mcp/middleware.ts";
export type { KV, KvKey, SetOptions } from "./store/kv.ts";
export { memoryStore } from "./store/memory.ts";
export { denoKvStore } from "./store/deno-kv.ts";
export { bunSqliteStore, sqliteStore } from "./store/sqlite.ts";
export { type WorkersKVNamespace, workersKvStore } from "./store/workers-kv.ts";
export { type RedisConnection, type RedisReply, RedisReplyError, redisStore, type RedisStoreOptions } from "./store/redis.ts";
export { openStore } from "./runtime/store.ts";
export { type AuditEvent, type AuditOptions, type AuditSink, jsonLinesSink } from "./audit/log.ts";
export { oauth, type OAuthCommonOptions, type OAuthOptions, type OAuthStrategy } from "./oauth/strategy.ts";
export { type LoggedIn, type LoginContext, type LoginOutcome, oauthProvider, type OAuthProviderOptions } from "./oauth/provider-mode.ts";
export type { ProviderOptions } from "./oauth/upstream.ts";
export type { AccessTokenCacheOptions } from "./oauth/access-cache.ts";
export { oauthOptionsFromEnv } from "./config/oauth-env.ts";
export { ConfigError } from "./config/env.ts";
export { jsonLogger, type Level, type Logger, type LogRecord, silentLogger } from "./observe/log.ts";
export type { MetricsHooks, RequestMetric, ToolMetric } from "./observe/metrics.ts";
export { parseTraceparent, type TraceContext } from "./observe/trace.ts";
export {
  runAsTask,
  type TaskHandoff,
  TASKS_EXTENSION,
  type TaskSettings,
  type TaskStatus,
  type TaskSupport,
  type ToolTaskOption,
} from "./mcp/tasks.ts";
export { defineSkill, type SkillDefinition, type SkillFile, SKILLS_EXTENSION } from "./mcp/skills.ts";
