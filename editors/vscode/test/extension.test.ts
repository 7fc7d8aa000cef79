// `npm test`: the extension's wiring, with VS Code and the language client
// replaced by stand-ins (VS Code itself is not run here): what it starts,
// for which documents, under which id (the id decides which
// `<id>.trace.server` setting the client reads).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import Module = require("node:module");

interface Started {
  id: string;
  server: { command: string; args: string[]; transport?: unknown; options?: { cwd?: string } };
  client: { documentSelector: unknown };
}

const started: Started[] = [];
const settings: Record<string, string | undefined> = {};

const fakeVscode = {
  workspace: {
    getConfiguration: () => ({ get: (key: string) => settings[key] }),
    findFiles: async () => [{ fsPath: "/work/portfolio/pilotbook.toml" }],
    workspaceFolders: [{ uri: { fsPath: "/work" } }],
    createFileSystemWatcher: (glob: string) => ({ glob }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  commands: { registerCommand: () => ({ dispose() {} }), executeCommand: async () => {} },
  window: { showErrorMessage: async () => undefined },
};

class FakeClient {
  constructor(id: string, _name: string, server: Started["server"], client: Started["client"]) {
    started.push({ id, server, client });
  }
  async start() {}
  async stop() {}
}

const fakeClientModule = { LanguageClient: FakeClient };

// Answer `require("vscode")` and the client library with the stand-ins.
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const realLoad = loader._load;
loader._load = (request: string, ...rest: unknown[]) => {
  if (request === "vscode") return fakeVscode;
  if (request === "vscode-languageclient/node") return fakeClientModule;
  return realLoad(request, ...rest);
};

test("activation starts `pilotbook lsp` for Markdown files, in the portfolio's folder", async () => {
  const extension = require("../src/extension");
  const context = { subscriptions: [] as unknown[] };
  settings.path = "/opt/pilotbook/bin/pilotbook";
  await extension.activate(context);
  assert.equal(started.length, 1);
  const [first] = started;
  assert.equal(first.id, "pilotbook");
  assert.equal(first.server.command, "/opt/pilotbook/bin/pilotbook");
  assert.deepEqual(first.server.args, ["lsp"]);
  assert.equal(first.server.transport, undefined, "stdio, without an added --stdio");
  assert.equal(first.server.options?.cwd, "/work/portfolio");
  assert.deepEqual(first.client.documentSelector, [{ scheme: "file", language: "markdown" }]);
  await extension.deactivate();
});
