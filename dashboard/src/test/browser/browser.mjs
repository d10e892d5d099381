// What the dashboard's browser checks share: Debian's headless Chromium driven by playwright-core,
// browser profiles whose pages may reach the host's origin only (anything else is refused and
// remembered), console errors collected, and the sign-in form.
import playwright from 'playwright-core';

/** Launches Chromium for pages of `origin`; `offOrigin` and `consoleErrors` fill as pages run. */
export async function openBrowser(origin) {
  const browser = await playwright.chromium.launch({
    executablePath: process.env.VEIL_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const offOrigin = [];
  const consoleErrors = [];
  /** A fresh browser profile (its own cookies) with one page. */
  async function profile() {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      offOrigin.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    return { context, page };
  }
  return { browser, profile, offOrigin, consoleErrors };
}

/** Signs in to the dashboard at `origin` with the form. */
export async function signIn(page, origin, key) {
  await page.goto(`${origin}/ui/`);
  await page.getByLabel('Master key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#nav').waitFor({ state: 'visible' });
}
