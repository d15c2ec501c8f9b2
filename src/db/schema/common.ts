import { integer } from "drizzle-orm/sqlite-core";

/** Timestamps are stored as integer milliseconds since the epoch (UTC). */
export const createdAt = () => integer("created_at").notNull();
