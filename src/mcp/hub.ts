/**
 * @module Fans server-initiated notifications (list changes, resource updates) out to this instance's listeners: 2026 `subscriptions/listen` streams and 2025 session GET streams.
 */

/** What a listener asked to hear about (the 2026-07-28 SubscriptionFilter). */
export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

export interface Listener {
  filter: SubscriptionFilter;
  /** Sends one notification (the listener adds its own `_meta`, e.g. the subscription id). */
  send(method: string, params: Record<string, unknown>): void;
}

export type ListKind = "tools" | "prompts" | "resources";
const FLAG: Record<ListKind, keyof SubscriptionFilter> = {
  tools: "toolsListChanged",
  prompts: "promptsListChanged",
  resources: "resourcesListChanged",
};

export function createHub() {
  const listeners = new Set<Listener>();
  return {
    add(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return listeners.size;
    },
    /** `notifications/{kind}/list_changed` to every listener that asked for it. */
    listChanged(kind: ListKind): void {
      for (const l of listeners) if (l.filter[FLAG[kind]]) l.send(`notifications/${kind}/list_changed`, {});
    },
    /** `notifications/resources/updated` to every listener subscribed to `uri`. */
    resourceUpdated(uri: string): void {
      for (const l of listeners) if (l.filter.resourceSubscriptions?.includes(uri)) l.send("notifications/resources/updated", { uri });
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
