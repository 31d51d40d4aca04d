// Photographs the given pages at desktop and phone width, signed in as
// admin: node shoot-paths.mjs BASE_URL OUT_DIR name=/path ...
// For a page in a state the main script cannot set up (a national root
// being counted, say): set the state, then photograph it.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, out, ...pairs] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
for (const [width, height] of [[1280, 900], [375, 800]]) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: "zh-CN", deviceScaleFactor: width < 500 ? 2 : 1 });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", "admin");
  await page.fill("#password", "ronghe-demo");
  await page.click("form.form button[type=submit]");
  await page.waitForSelector(".mainnav");
  for (const pair of pairs) {
    const cut = pair.indexOf("=");
    const [name, path] = [pair.slice(0, cut), pair.slice(cut + 1)];
    const r = await page.goto(base + path);
    console.log(`${name} ${width}: ${r.status()}`);
    await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true });
  }
  await ctx.close();
}
await browser.close();
