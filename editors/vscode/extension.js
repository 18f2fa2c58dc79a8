// A VS Code client for `gatehop lsp`: starts the server over standard input and output for YAML
// and JSON files and hands it the gatehop.* settings. The server decides which files are gateway
// configurations; the others get no diagnostics.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

const SETTINGS = ['from', 'to', 'inputFlavor', 'edition', 'config', 'customPlugins', 'debounceMs'];

let client;

// The server's settings: the gatehop.* values that are set (gatehop.path is the client's own).
function serverSettings() {
  const config = vscode.workspace.getConfiguration('gatehop');
  const settings = {};
  for (const key of SETTINGS) {
    const value = config.get(key);
    if (value !== undefined && value !== null && value !== '') {
      settings[key] = value;
    }
  }
  return settings;
}

function createClient() {
  const command = vscode.workspace.getConfiguration('gatehop').get('path') || 'gatehop';
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'json' },
      { scheme: 'untitled', language: 'yaml' },
      { scheme: 'untitled', language: 'json' },
    ],
    initializationOptions: serverSettings(),
    synchronize: {
      // didChangeConfiguration carries {"gatehop": {...}}; the server reads that member.
      configurationSection: 'gatehop',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/.gatehop.{yml,yaml}'),
    },
  };
  return new LanguageClient('gatehop', 'gatehop', serverOptions, clientOptions);
}

async function activate(context) {
  client = createClient();
  context.subscriptions.push(
    vscode.commands.registerCommand('gatehop.restart', async () => {
      if (client) {
        await client.stop();
      }
      client = createClient();
      await client.start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // The executable is read when the server starts: a new one needs a new server.
      if (event.affectsConfiguration('gatehop.path')) {
        await vscode.commands.executeCommand('gatehop.restart');
      }
    }),
  );
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
    client = undefined;
  }
}

module.exports = { activate, deactivate };
