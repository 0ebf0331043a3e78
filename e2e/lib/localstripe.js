// localstripe (a stateful fake Stripe from PyPI, in the tests' Python environment) on a free
// loopback port, with its own Stripe.js at /js.stripe.com/v3/; and the `faktura serve` flags
// that point the Stripe connector and the portal's pages at it.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { fileURLToPath } from "node:url";

export const PUBLISHABLE_KEY = "pk_test_faktura_e2e";

// As crates/web/tests/common/stripe.rs starts it (e2e/python/localstripe_server.py): loopback
// only, state in memory, and Stripe.js's createPaymentMethod, which localstripe's own script
// leaves empty, done as Stripe.js does it.
const LAUNCHER = fileURLToPath(new URL("../python/localstripe_server.py", import.meta.url));

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

/** localstripe, or `null` outside CI when the tests' Python (FAKTURA_TEST_PYTHON) is not set. */
export async function startLocalStripe() {
  const python = process.env.FAKTURA_TEST_PYTHON;
  if (!python) {
    if (process.env.CI === "true") throw new Error("CI must run the Stripe browser test: set FAKTURA_TEST_PYTHON (scripts/test.sh does)");
    return null;
  }
  const port = await freePort();
  const child = spawn(python, [LAUNCHER, String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr.on("data", (chunk) => { errors += chunk.toString(); });
  for (let tries = 0; tries < 200; tries++) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (up) {
      const base = `http://127.0.0.1:${port}`;
      return {
        base,
        jsUrl: `${base}/js.stripe.com/v3/`,
        serveArgs: [
          "--gateway", "stripe",
          "--stripe-secret-key", "sk_test_faktura_e2e",
          "--stripe-publishable-key", PUBLISHABLE_KEY,
          "--stripe-webhook-secret", "whsec_faktura_e2e",
          "--stripe-api-base", base,
          "--stripe-js-url", `${base}/js.stripe.com/v3/`,
        ],
        stop: () => child.kill("SIGTERM"),
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`localstripe did not start on port ${port}:\n${errors}`);
}
