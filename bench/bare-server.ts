// Baseline for the redirect bench: the cheapest possible Hono-on-Node redirect with the same
// headers the real one sends, storing nothing. Run: PORT=9000 node --import tsx bench/bare-server.ts
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const CLICK_ID = 'AZNi2fQ1x0kq7vR3tYb8WcLmP4sHjUeD9gK6oNa5B2w'; // 43 chars, like a signed click id
const LOCATION = `https://shop.example.com/p?afx_click=${CLICK_ID}`;
const COOKIE = `afx_click=${CLICK_ID}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax`;

const app = new Hono();
app.get('/:slug', (c) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
  c.header('Referrer-Policy', 'no-referrer-when-downgrade');
  c.header('Set-Cookie', COOKIE);
  return c.redirect(LOCATION, 302);
});

const port = Number(process.env.PORT ?? 8788);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  process.stderr.write(`bare-server listening on 127.0.0.1:${info.port}\n`);
});
