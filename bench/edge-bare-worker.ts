// Baseline of the edge bench: the cheapest Hono Worker redirect with the headers the real one
// sends, storing nothing (the Workers twin of bench/bare-server.ts). Bundled by bench/edge.ts.
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

export default app;
