import { AppError, currentRequestId, type Logger, type Metrics, outsideRequests } from "@loans/shared";
import type { Kysely } from "kysely";
import { Counter, Histogram } from "prom-client";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import type { AgreementResponse } from "./agreements.schemas.ts";
import { type Application, openAgreements } from "./agreements.service.ts";

/**
 * Group commits of POST /agreements: applications that passed their own checks are opened together, one
 * transaction and one statement of each kind for all of them (openAgreements), instead of a transaction
 * of five statements each. Under load the cost of a creation is mostly per statement and per commit
 * (a write to the socket, a parse, bind and execute, an fsync), and a group pays them once.
 *
 * No timer: when no group is committing, one starts at once with whatever waits (alone, at low load: no
 * added latency); applications that arrive while a group commits wait and form the next one, up to
 * `maxSize`. One group commits at a time, on one connection.
 *
 * Each application is answered as it would be alone. When any of a group is refused (CLIENT_MISMATCH,
 * known only once its client is upserted) or anything fails before the COMMIT, the group is rolled back
 * and every one of its applications is answered `null`: the caller opens it alone (openAgreement in a
 * transaction of its own), which answers exactly what it would have. A failed group costs a retry, never
 * a wrong answer. A group of one is not retried: it ran what the request alone runs, and its error is
 * the answer. Nor is anything retried after a failed COMMIT, which may have taken effect: each
 * application gets the error, as it would from its own COMMIT.
 */
export interface AgreementGroups {
  /** Opens the application with the next group; `null` when the group was rolled back: open it alone. */
  open(application: Application): Promise<AgreementResponse | null>;
}

export const MAX_GROUP_SIZE = 64;

interface Waiting {
  application: Application;
  resolve(created: AgreementResponse | null): void;
  reject(err: unknown): void;
}

export interface AgreementGroupDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  /** Called once per committed group: wakes the relay for all its messages. */
  afterCommit: () => void;
  log?: Logger;
  metrics?: Metrics;
  maxSize?: number;
}

export function agreementGroups(deps: AgreementGroupDeps): AgreementGroups {
  const maxSize = deps.maxSize ?? MAX_GROUP_SIZE;
  const metrics = groupMetrics(deps.metrics);
  let waiting: Waiting[] = [];
  let committing = false;

  function open(application: Application): Promise<AgreementResponse | null> {
    return new Promise((resolve, reject) => {
      // The group runs outside any request: each message keeps the request it came in on.
      waiting.push({
        application: { ...application, requestId: application.requestId ?? currentRequestId() },
        resolve,
        reject,
      });
      next();
    });
  }

  function next(): void {
    if (committing || waiting.length === 0) return;
    const { group, rest } = takeGroup(waiting, maxSize);
    waiting = rest;
    committing = true;
    void outsideRequests(() => commitGroup(deps, metrics, group)).finally(() => {
      committing = false;
      next();
    });
  }

  return { open };
}

function groupMetrics(metrics: Metrics | undefined) {
  const registers = metrics ? [metrics.registry] : [];
  return {
    committed: new Histogram({
      name: "pe_agreement_group_size",
      help: "Agreements opened by each committed group transaction of POST /agreements (count: groups; sum: agreements)",
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    rolledBack: new Counter({
      name: "pe_agreement_groups_rolled_back_total",
      help: "Groups of several POST /agreements rolled back (a refusal or a failure in one), their applications then opened alone",
      registers,
    }),
  };
}

// A passport appears once in a group (one statement cannot update a client's row twice): a second
// application of it waits for the next group, keeping its place in the line.
function takeGroup(waiting: Waiting[], maxSize: number): { group: Waiting[]; rest: Waiting[] } {
  const group: Waiting[] = [];
  const rest: Waiting[] = [];
  const passports = new Set<string>();
  for (const w of waiting) {
    const passport = w.application.input.client.passportNumber;
    if (group.length < maxSize && !passports.has(passport)) {
      passports.add(passport);
      group.push(w);
    } else {
      rest.push(w);
    }
  }
  return { group, rest };
}

async function commitGroup(
  deps: AgreementGroupDeps,
  metrics: ReturnType<typeof groupMetrics>,
  group: Waiting[],
): Promise<void> {
  let commitSent = false;
  let created: AgreementResponse[];
  try {
    created = await deps.db.transaction().execute(async (trx) => {
      const answers = await openAgreements(
        trx,
        group.map((w) => w.application),
        deps.clock,
      );
      commitSent = true;
      return answers;
    });
  } catch (err) {
    // A group of one was the single path already; a failed COMMIT may have taken effect: either way
    // the error is the answer, as it would be from the request's own transaction.
    if (commitSent || group.length === 1) {
      for (const w of group) w.reject(err);
      return;
    }
    metrics.rolledBack.inc();
    // A refusal is answered to its request when it runs alone; anything else is worth a line.
    if (!(err instanceof AppError)) {
      deps.log?.warn("a group of agreements failed before its commit; each is opened alone", {
        size: group.length,
        err,
      });
    }
    for (const w of group) w.resolve(null);
    return;
  }
  metrics.committed.observe(group.length);
  group.forEach((w, i) => {
    w.resolve(created[i]!);
  });
  deps.afterCommit();
}
