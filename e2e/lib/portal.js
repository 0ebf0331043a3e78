// Starts a fresh Faktura (SQLite, demo data) and a headless Debian Chromium for one test.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { appendFileSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const PASSWORD = "e2e-demo-password";
export const SCREENSHOTS = join(here, "..", "screenshots");

const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function fakturaBinary() {
  if (process.env.FAKTURA_BIN) return process.env.FAKTURA_BIN;
  throw new Error("set FAKTURA_BIN to the faktura binary (scripts/test.sh does)");
}

/** A free loopback port (taken and released at once). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A real SMTP server (aiosmtpd, from the tests' Python environment) writing what it receives
 * into the Maildir `maildir`; `null` outside CI when that Python is not there.
 */
async function startSmtp(maildir) {
  const python = process.env.FAKTURA_TEST_PYTHON;
  if (!python) {
    if (process.env.CI === "true") throw new Error("CI must mail through SMTP: set FAKTURA_TEST_PYTHON (scripts/test.sh does)");
    return null;
  }
  const port = await freePort();
  const child = spawn(python, ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], { stdio: "ignore" });
  for (let tries = 0; tries < 100; tries++) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (up) return { url: `smtp://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`aiosmtpd did not start on port ${port}`);
}

async function startServer(serveArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "faktura-e2e-"));
  const mailDir = join(dir, "mail");
  // Mail goes through a real SMTP server into a Maildir when there is one, else to files.
  const smtp = await startSmtp(mailDir);
  const mail = smtp ? ["--smtp-url", smtp.url] : ["--mail-dir", mailDir];
  const child = spawn(fakturaBinary(), ["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", `sqlite://${join(dir, "e2e.db")}`, ...mail, "--webhooks-allow-internal", ...serveArgs], {
    env: { ...process.env, FAKTURA_DEMO_PASSWORD: PASSWORD, FAKTURA_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // What the server prints once its folder is removed (its shutdown) goes nowhere: an append
  // there would fail the test file after its tests passed.
  let removed = false;
  const log = (chunk) => { if (!removed) appendFileSync(join(dir, "server.log"), chunk); };
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`faktura did not start:\n${output}`)), 30000);
    const onData = (chunk) => {
      output += chunk.toString();
      log(chunk);
      const match = output.match(/running at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => {
      output += chunk.toString();
      log(chunk);
    });
    child.on("exit", (code) => { clearTimeout(timer); smtp?.stop(); reject(new Error(`faktura exited with ${code}:\n${output}`)); });
  });
  return {
    baseUrl,
    dir,
    mailDir,
    viaSmtp: Boolean(smtp),
    stop() {
      child.kill("SIGTERM");
      smtp?.stop();
      // Under scripts/test.sh the database and log stay for the card-data scan at the end.
      if (!process.env.FAKTURA_TEST_ARTIFACTS) {
        removed = true;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Runs `body` with a fresh server and a browser page; always cleans up. `serveArgs` are added to
 * `faktura serve` (e.g. `--gateway stripe …`); `dir` holds the server's database and log.
 * `bypassCSP` lets a test inject axe-core, which the page's policy would refuse.
 */
export async function withPortal({ locale = "en-US", serveArgs = [], bypassCSP = false } = {}, body) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const server = await startServer(serveArgs);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  try {
    const context = await browser.newContext({ locale, viewport: { width: 1366, height: 900 }, bypassCSP });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    await body({ page, baseUrl: server.baseUrl, dir: server.dir, mailDir: server.mailDir, viaSmtp: server.viaSmtp });
  } finally {
    await browser.close();
    server.stop();
  }
}

/** Runs `body` with one fresh server and one browser; the body opens its own contexts. */
export async function withServer(body) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  try {
    await body({ browser, baseUrl: server.baseUrl, mailDir: server.mailDir });
  } finally {
    await browser.close();
    server.stop();
  }
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(page, baseUrl, email, { submit = "Sign in" } = {}) {
  await page.goto(`${baseUrl}/`);
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(PASSWORD);
  await page.getByRole("button", { name: submit }).click();
  await page.waitForURL(/\/portal$/);
}

/** The messages Faktura wrote to its mail folder (one .eml file each), oldest first. */
/** A message's text with a quoted-printable body decoded (soft line breaks and =XX bytes). */
function decodedMail(raw) {
  if (!/Content-Transfer-Encoding: quoted-printable/i.test(raw)) return raw;
  const joined = raw.replace(/=\r?\n/g, "");
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Every message file: `.eml` files of the file transport, or the Maildir's `new/`. */
function mailFiles(mailDir) {
  const list = (folder, keep) => {
    try {
      return readdirSync(folder).filter(keep).sort().map((n) => join(folder, n));
    } catch {
      return [];
    }
  };
  return [...list(mailDir, (n) => n.endsWith(".eml")), ...list(join(mailDir, "new"), (n) => !n.startsWith("."))];
}

export function mailsTo(mailDir, address) {
  return mailFiles(mailDir)
    .map((file) => decodedMail(readFileSync(file, "utf8")))
    .filter((text) => text.split(/\r?\n/).some((line) => line.toLowerCase().startsWith("to:") && line.includes(address)));
}

/** Waits (up to `ms`) for a message to `address` whose text contains `text`; the message. */
export async function waitForMail(mailDir, address, text, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const found = mailsTo(mailDir, address).find((m) => m.includes(text));
    if (found) return found;
    if (Date.now() > until) throw new Error(`no mail to ${address} containing ${text} in ${mailDir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
