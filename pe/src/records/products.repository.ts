import type { Insertable, Kysely, Selectable } from "kysely";
import type { PeDB, ProductsTable } from "../db.ts";

export type Product = Selectable<ProductsTable>;

/** Inserts the product unless its code exists; null when it does (the caller answers 409). */
export async function insertProduct(db: Kysely<PeDB>, product: Insertable<ProductsTable>): Promise<Product | null> {
  const row = await db
    .insertInto("products")
    .values(product)
    .onConflict((oc) => oc.column("code").doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export async function findProduct(db: Kysely<PeDB>, code: string): Promise<Product | null> {
  return (await db.selectFrom("products").selectAll().where("code", "=", code).executeTakeFirst()) ?? null;
}

export function listProducts(db: Kysely<PeDB>): Promise<Product[]> {
  return db.selectFrom("products").selectAll().orderBy("code").execute();
}
