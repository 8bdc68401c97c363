import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";

interface DB {
  things: { id: number; name: string; extra?: string | null };
}

let database: TestDatabase;
let handle: DatabaseHandle<DB>;

beforeAll(async () => {
  database = await createTestDatabase("origination", { empty: true });
  // One connection, so every query below meets the statements the earlier ones prepared.
  handle = createDatabase<DB>(database.url, 1);
  await sql`create table things (id int primary key, name text not null)`.execute(handle.db);
  await sql`insert into things values (1, 'one'), (2, 'two')`.execute(handle.db);
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const byId = (db: Kysely<DB>, id: number) => db.selectFrom("things").selectAll().where("id", "=", id).execute();

describe("statements prepared per connection", () => {
  it("runs a statement again with other values, and inside transactions", async () => {
    expect(await byId(handle.db, 1)).toEqual([{ id: 1, name: "one" }]);
    expect(await byId(handle.db, 2)).toEqual([{ id: 2, name: "two" }]);
    const inTrx = await handle.db.transaction().execute((trx) => byId(trx, 1));
    expect(inTrx).toEqual([{ id: 1, name: "one" }]);
  });

  it("recovers after a migration changed the columns a prepared statement reads", async () => {
    expect(await byId(handle.db, 1)).toEqual([{ id: 1, name: "one" }]);
    await sql`alter table things add column extra text`.execute(handle.db);
    // PostgreSQL refuses the statement prepared before the change once; the next use prepares it anew.
    await expect(byId(handle.db, 1)).rejects.toMatchObject({ code: "0A000" });
    expect(await byId(handle.db, 1)).toEqual([{ id: 1, name: "one", extra: null }]);
    expect(await handle.db.transaction().execute((trx) => byId(trx, 2))).toEqual([{ id: 2, name: "two", extra: null }]);
  });
});
