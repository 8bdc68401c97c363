import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * One service's Prometheus metrics, on a registry of its own (tests run several services in one
 * process). Everything that observes something takes this object, or nothing: metrics are optional in
 * every module, so unit tests need not build them.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  outbox: OutboxMetrics;
  /** What this service's batch endpoints answered, per message. */
  received: Counter<"topic" | "outcome">;
  /** Scrapes that could not read a source (collectors.ts). */
  scrapeErrors: Counter<"source">;
}

/** The relay's side: what it sent, how it went, how long messages waited. */
export interface OutboxMetrics {
  batchSize: Histogram<"topic" | "destination">;
  /** From the commit of the outbox row to the peer's acknowledgement, for delivered messages. */
  deliveryLatency: Histogram<"topic" | "destination">;
  /** One per message per attempt: ok, rejected, retry (the peer asked), failed (no usable answer). */
  attempts: Counter<"topic" | "destination" | "outcome">;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // Process figures (resident memory, CPU, event-loop lag, heap, handles) from prom-client itself.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP requests served, by method, route template and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    outbox: {
      batchSize: new Histogram({
        name: "outbox_relay_batch_size_messages",
        help: "Messages per batch the relay posted to the peer",
        labelNames: ["topic", "destination"],
        buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        registers,
      }),
      deliveryLatency: new Histogram({
        name: "outbox_delivery_latency_seconds",
        help: "From the outbox row's creation to the peer's acknowledgement, for delivered messages",
        labelNames: ["topic", "destination"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300, 3600],
        registers,
      }),
      attempts: new Counter({
        name: "outbox_delivery_attempts_total",
        help: "Delivery attempts per message, by outcome: ok, rejected, retry, failed",
        labelNames: ["topic", "destination", "outcome"],
        registers,
      }),
    },
    received: new Counter({
      name: "outbox_received_messages_total",
      help: "Messages from the peer's outbox answered by this service, by outcome",
      labelNames: ["topic", "outcome"],
      registers,
    }),
    scrapeErrors: new Counter({
      name: "metrics_scrape_errors_total",
      help: "Scrapes that could not read a source (the database away, say); its gauges keep their last values",
      labelNames: ["source"],
      registers,
    }),
  };
}
