import { writeFileSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';

/** Language × theme, the four looks of every page; each is shot at desktop and phone width. */
export const LOOKS = [
  { tag: 'en-light', lang: 'en', theme: 'light' },
  { tag: 'en-dark', lang: 'en', theme: 'dark' },
  { tag: 'zh-light', lang: 'zh', theme: 'light' },
  { tag: 'zh-dark', lang: 'zh', theme: 'dark' },
] as const;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * One PNG per page and width holding its four looks side by side, each at full size under its
 * label (`queue-desktop.png`, `queue-phone.png`): every combination of language, theme and
 * width is committed, in two files a page instead of eight. Laid out by Chromium itself
 * (the shots as images in a page), so no image library is needed.
 */
export async function writeSheet(browser: BrowserContext, path: string, tiles: readonly { label: string; png: Buffer }[], columns: number): Promise<void> {
  const page = await browser.newPage();
  try {
    // PNG header: width and height at bytes 16 and 20. The page is made wide enough for a row.
    const w = Math.max(...tiles.map((t) => t.png.readUInt32BE(16)));
    const h = Math.max(...tiles.map((t) => t.png.readUInt32BE(20)));
    await page.setViewportSize({ width: columns * (w + 8) + 8, height: Math.ceil(tiles.length / columns) * (h + 36) + 8 });
    const cells = tiles.map((t) => `<figure><figcaption>${t.label}</figcaption><img src="data:image/png;base64,${t.png.toString('base64')}"></figure>`).join('');
    await page.setContent(
      `<!doctype html><style>body{margin:0;background:#888;font:600 16px system-ui,sans-serif}main{display:grid;grid-template-columns:repeat(${columns},max-content);gap:8px;padding:8px}figure{margin:0}figcaption{color:#fff;padding:2px 0 4px}img{display:block}</style><main>${cells}</main>`,
    );
    await page.waitForFunction('[...document.images].every((i) => i.complete && i.naturalWidth > 0)');
    writeFileSync(path, await page.screenshot({ fullPage: true }));
  } finally {
    await page.close();
  }
}
