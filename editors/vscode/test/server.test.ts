// `npm test`: the server command line and folder, with node's test runner.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { launch, serverFolder } from "../src/server";

test("the server is `pilotbook lsp` unless pilotbook.path names another binary", () => {
  assert.deepEqual(launch(undefined), { command: "pilotbook", args: ["lsp"] });
  assert.deepEqual(launch("  "), { command: "pilotbook", args: ["lsp"] });
  assert.deepEqual(launch("/opt/bin/pilotbook"), { command: "/opt/bin/pilotbook", args: ["lsp"] });
});

test("the server starts in the shallowest folder with a pilotbook.toml", () => {
  const found = ["/w/docs/pilots/pilotbook.toml", "/w/pilotbook.toml", "/w/notpilotbook.toml"];
  assert.equal(serverFolder(found, "/w"), "/w");
  assert.equal(serverFolder(["/w/docs/pilotbook.toml"], "/w"), "/w/docs");
  assert.equal(serverFolder([], "/w"), "/w");
  assert.equal(serverFolder([], undefined), undefined);
});
