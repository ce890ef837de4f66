import pg from 'pg';

// A fresh, empty PostgreSQL database on a server, for a test run or a conformance cluster: every
// run gets its own, so runs never see each other's trace, and dropping it removes everything.

export interface FreshDatabase {
  /** The server URL with the new database's name as its path. */
  url: string;
  /** Drop the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Create `name` (letters, digits and _ only: it is an SQL identifier) on the server at `serverUrl`. */
export async function createDatabase(serverUrl: string, name: string): Promise<FreshDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`database name must be 1–63 lowercase letters, digits or _, got ${JSON.stringify(name)}`);
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
