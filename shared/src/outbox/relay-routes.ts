import type { AnswerHandler, AnswersHandler } from "./record.ts";
import type { RoutePair } from "./routing.ts";

export interface RelayRoute<DB> {
  /** The peer, by a stable name (its health and its deliveries are kept under it), e.g. "origination". */
  destination: string;
  /** Full endpoint URL, e.g. `${ORIGINATION_URL}/internal/applications`. */
  url: string;
  /** Runs in the transaction that marks the delivery done; if it throws, the delivery is retried instead. */
  onAnswer?: AnswerHandler<DB>;
  /** onAnswer for a whole batch at once (record.ts); onAnswer stays the fallback, one answer at a time. */
  onAnswers?: AnswersHandler<DB>;
}

/** Where each topic goes: one route, or several for a fan-out (each destination named once per topic). */
export type RelayRoutes<DB> = Record<string, RelayRoute<DB> | readonly RelayRoute<DB>[]>;

/** The routes as (topic, destination) pairs, each with its route; refuses a destination named twice for a topic. */
export function routeTable<DB>(routes: RelayRoutes<DB>) {
  const byKey = new Map<string, RelayRoute<DB>>();
  const pairs: RoutePair[] = [];
  for (const [topic, r] of Object.entries(routes)) {
    for (const route of Array.isArray(r) ? r : [r as RelayRoute<DB>]) {
      const key = `${topic}\u0000${route.destination}`;
      if (!route.destination) throw new Error(`outbox route for ${topic} has no destination`);
      if (byKey.has(key)) throw new Error(`outbox topic ${topic} routes to ${route.destination} twice`);
      byKey.set(key, route);
      pairs.push({ topic, destination: route.destination });
    }
  }
  const destinations = [...new Set(pairs.map((p) => p.destination))];
  return {
    pairs,
    topics: [...new Set(pairs.map((p) => p.topic))],
    destinations,
    route: (topic: string, destination: string) => byKey.get(`${topic}\u0000${destination}`),
    topicsOf: (destination: string) => pairs.filter((p) => p.destination === destination).map((p) => p.topic),
  };
}

export type RouteTable<DB> = ReturnType<typeof routeTable<DB>>;
