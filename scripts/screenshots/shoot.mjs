// Signs in to a running Ronghe and photographs the main pages at desktop
// and phone width: node shoot.mjs [BASE_URL] [OUT_DIR]
// Uses Debian's chromium; install fonts-noto-cjk for Chinese text.
import { chromium } from "playwright-core";

const base = process.argv[2] ?? "http://127.0.0.1:8080";
const out = process.argv[3] ?? "/tmp/ronghe-shots";
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function session(user, width, height, locale) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale, deviceScaleFactor: width < 500 ? 2 : 1 });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.screenshot({ path: `${out}/login-${width}.png`, fullPage: true });
  await page.fill("#username", user);
  await page.fill("#password", "ronghe-demo");
  await page.click("form.form button[type=submit]");
  await page.waitForSelector(".mainnav");
  return page;
}

import { mkdirSync } from "node:fs";
mkdirSync(out, { recursive: true });
for (const [width, height] of [[1280, 900], [375, 800]]) {
  const page = await session("admin", width, height, "zh-CN");
  const shots = {
    tree: "/orgs",
    org: "/orgs/1",
    roster: "/orgs/1/members",
    member: "/members/10",
    form: "/orgs/5/members/new",
    import: "/orgs/5/import",
    "dues-unit": "/orgs/7/dues",
    "dues-branch": "/orgs/93/dues",
    "dev-unit": "/orgs/3/development",
    "dev-branch": "/orgs/21/development",
    "transfers-group": "/orgs/1/transfers",
    "transfer-expired": "/transfers/2",
    "transfer-letter": "/transfers/3/letter",
    "member-transfers": "/members/10/transfers",
    "life-unit": "/orgs/3/life",
    reminders: "/reminders",
    "study-unit": "/orgs/3/study",
    "study-member": "/members/10/study",
    "exams-branch": "/orgs/21/exams",
    "exam-results": "/orgs/21/exams/1/results",
    "life-branch-b": "/orgs/93/life",
    "meeting-sealed": "/meetings/113",
    "decisions-group": "/orgs/1/decisions",
    "decisions-drill": "/orgs/1/decisions?metric=compliance&side=denominator",
    "topic-executing": "/topics/21",
    "topic-open": "/topics/13",
    "topic-rejected": "/topics/3",
  };
  for (const [name, path] of Object.entries(shots)) {
    await page.goto(base + path);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: name !== "roster" && name !== "org" });
  }
  // A form sent back with errors.
  await page.goto(`${base}/orgs/5/members/new`);
  await page.fill("#name", "测试");
  await page.fill("#id_number", "11010519491231002");
  await page.click(".member-form button[type=submit]");
  await page.screenshot({ path: `${out}/form-errors-${width}.png`, fullPage: true });
  const sec = await session("sec-a", width, height, "en-US");
  await sec.screenshot({ path: `${out}/secretary-en-${width}.png`, fullPage: true });
  // A member's dues year, with a payment refused by the back-payment rule.
  const dues = await session("sec-b", width, height, "zh-CN");
  await dues.goto(`${base}/orgs/93/dues`);
  const owing = dues.locator("#arrears a[href^='/members/']").first();
  if (await owing.count()) {
    await owing.click();
    const pay = dues.locator("details.addform").nth(1);
    await pay.locator("summary").click();
    await pay.locator("input[name=period]").fill("2025-01");
    await pay.locator("input[name=amount]").fill("30");
    await pay.locator("button.primary").click();
    await dues.screenshot({ path: `${out}/dues-member-${width}.png`, fullPage: true });
  }
  // Member development: a person's record with the next step's form, a
  // vote refused by the majority rule, and the printed record sheet.
  const dev = await session("sec-a", width, height, "zh-CN");
  await dev.goto(`${base}/orgs/21/development`);
  await dev.locator("#stage-target a[href$='/development']").first().click();
  await dev.screenshot({ path: `${out}/dev-person-${width}.png`, fullPage: true });
  await dev.goto(`${base}/orgs/21/development`);
  await dev.locator("#stage-admission a[href$='/development']").first().click();
  await dev.screenshot({ path: `${out}/dev-admission-${width}.png`, fullPage: true });
  const print = dev.locator("a[href$='/development/print']");
  if (await print.count()) {
    await print.click();
    await dev.screenshot({ path: `${out}/dev-print-${width}.png`, fullPage: true });
  }
  // A member's learning: their year and a lesson.
  const learner = await session("member-a", width, height, "zh-CN");
  await learner.goto(`${base}/learn`);
  await learner.screenshot({ path: `${out}/learn-${width}.png`, fullPage: true });
  const lesson = learner.locator("a[href^='/courses/']").first();
  if (await lesson.count()) {
    await lesson.click();
    await learner.locator("a[href^='/lessons/']").first().click();
    await learner.screenshot({ path: `${out}/lesson-${width}.png`, fullPage: true });
    await learner.goBack();
    await learner.locator("a[href^='/lessons/']").nth(1).click();
    await learner.screenshot({ path: `${out}/lesson-audio-${width}.png`, fullPage: true });
  }
  // An exam: its terms, a paper, and the review after submitting.
  await learner.goto(`${base}/learn`);
  const exam = learner.locator("a[href^='/exams/']").first();
  if (await exam.count()) {
    await exam.click();
    await learner.screenshot({ path: `${out}/exam-${width}.png`, fullPage: true });
    const start = learner.locator("form[action$='/start'] button, a[href^='/attempts/'].primary");
    if (await start.count()) {
      await start.first().click();
      await learner.screenshot({ path: `${out}/exam-paper-${width}.png`, fullPage: true });
      await learner.locator(".paper-form input[type=radio]").first().check();
      await learner.locator(".paper-form button.primary").click();
      await learner.screenshot({ path: `${out}/exam-review-${width}.png`, fullPage: true });
    }
  }
  const aud = await session("auditor", width, height, "zh-CN");
  await aud.screenshot({ path: `${out}/audit-${width}.png` });
}
await browser.close();
console.log(`screenshots in ${out}`);
