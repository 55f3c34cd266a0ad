import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { markRoutesPublic } from './auth.js';

/**
 * The console's own policy: scripts, styles and data only from this origin, never framed
 * (clickjacking on a page with Assign and Deploy buttons). Inline style attributes stay allowed
 * because the chart library positions its canvas with them.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names every built asset after its content hash, so a cached copy can never be stale. */
const HASHED = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.(js|css|woff2?|svg|png)$/;

function cachePolicy(res: { setHeader: (name: string, value: string) => unknown }, path: string): void {
  res.setHeader('cache-control', HASHED.test(path.replace(/\\/g, '/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * The built console at / (gateway/console/dist): hashed assets cached for a year, index.html
 * revalidated on every load, source maps never served even when a build left them on disk.
 * Without a build, / opens the API documentation.
 */
export async function registerConsoleFiles(app: FastifyInstance, consoleDir: string): Promise<void> {
  await app.register(async (files) => {
    markRoutesPublic(files);
    files.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('content-security-policy', CONSOLE_CSP);
      void reply.header('x-frame-options', 'DENY');
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('referrer-policy', 'no-referrer');
      return payload;
    });
    if (existsSync(join(consoleDir, 'index.html'))) {
      await files.register(fastifyStatic, {
        root: consoleDir,
        prefix: '/',
        index: 'index.html',
        cacheControl: false,
        setHeaders: cachePolicy,
        allowedPath: (pathname) => !pathname.endsWith('.map'),
      });
    } else files.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs'));
  });
}
