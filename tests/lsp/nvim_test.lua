-- Neovim's own LSP client (0.7 and later) against `gatehop lsp`: nvim_test.sh runs this file in
-- a headless Neovim with no user configuration. It opens the Kong file, starts and attaches a
-- client as an editor's configuration would, and then, as a user would:
--   1. waits for the diagnostics (HOP4003, HOP4004 and HOP4007, where `gatehop lint` has them);
--   2. hovers on the path's finding (its rule page);
--   3. asks for the code actions at HOP4007, applies its quick fix as Neovim applies a workspace
--      edit, compares the buffer with the text expected, and waits for the diagnostics of the
--      new text (HOP4007 gone, the other two left);
--   4. asks for the source actions, applies "convert this file", compares the buffer with what
--      `gatehop convert` wrote, and waits for an empty list of diagnostics;
--   5. stops the server (shutdown, exit), which must exit with 0.
-- Any failure, or a wait that runs out, quits Neovim with a non-zero code; what happened is
-- written to $GATEHOP_NVIM_OUT.
--
-- Environment (set by nvim_test.sh):
--   GATEHOP_NVIM_BIN        gatehop
--   GATEHOP_NVIM_LOG        the server's --log file
--   GATEHOP_NVIM_ERR        the server's standard error (Neovim would put it in its own log)
--   GATEHOP_NVIM_FILE       the Kong file to open (its folder holds the .gatehop.yml)
--   GATEHOP_NVIM_FIXED      the text the file must have after the quick fix
--   GATEHOP_NVIM_CONVERTED  the text it must have after the source action
--   GATEHOP_NVIM_OUT        where the transcript goes

local WAIT_MS = 20000 -- for each answer; an ASan build lints more slowly

local out = assert(io.open(assert(os.getenv('GATEHOP_NVIM_OUT')), 'w'))

local function say(fmt, ...)
  out:write(string.format(fmt, ...), '\n')
  out:flush()
end

local function fail(fmt, ...)
  error({ failure = string.format(fmt, ...) })
end

local function check(ok, fmt, ...)
  if not ok then
    fail(fmt, ...)
  end
end

local function read_file(path)
  local f = assert(io.open(path, 'rb'))
  local text = f:read('*a')
  f:close()
  return text
end

local function buffer_text(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)
  return table.concat(lines, '\n') .. '\n'
end

-- The last publishDiagnostics the server sent, as it came (before Neovim converts it).
local published = { count = 0 }
local exited = nil

local function wait_for(what, predicate)
  local ok = vim.wait(WAIT_MS, predicate, 20)
  check(ok, 'timed out after %d ms waiting for %s', WAIT_MS, what)
end

local function show_diagnostics(bufnr, ns)
  local list = vim.diagnostic.get(bufnr, { namespace = ns })
  table.sort(list, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  for _, d in ipairs(list) do
    -- 1-based line and column, as `gatehop lint` prints them
    say('  %s %d:%d %s', tostring(d.code), d.lnum + 1, d.col + 1, d.message)
  end
  return list
end

local function find_code(list, code)
  for _, d in ipairs(list) do
    if d.code == code then
      return d
    end
  end
  return nil
end

local function env(name)
  local value = os.getenv(name)
  check(value and value ~= '', '%s is not set', name)
  return value
end

-- The diagnostics of the given version of the document, once the server has published them.
local function wait_diagnostics(bufnr, ns, version)
  wait_for('the diagnostics of version ' .. tostring(version), function()
    return exited ~= nil or (published.params and published.params.version == version)
  end)
  check(not exited, 'the server exited (code %s)', exited and exited.code)
  say('diagnostics of version %d (code line:col message):', version)
  return show_diagnostics(bufnr, ns)
end

local function code_actions(client, bufnr, at, context)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = at, ['end'] = at },
    context = context,
  }
  local answer, reason = client.request_sync('textDocument/codeAction', params, WAIT_MS, bufnr)
  check(answer, 'codeAction: no answer (%s)', tostring(reason))
  check(not answer.err, 'codeAction: error %s', vim.inspect(answer.err))
  say('code actions at %d:%d:', at.line + 1, at.character + 1)
  for _, a in ipairs(answer.result or {}) do
    say('  [%s] %s', tostring(a.kind), a.title)
  end
  return answer.result or {}
end

-- Applies an action's edit as Neovim does, and checks the buffer then holds `expected`.
local function apply(client, bufnr, action, expected, what)
  check(action.edit, '%s: the action has no edit', what)
  local before = buffer_text(bufnr)
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  local now = buffer_text(bufnr)
  check(now ~= before, '%s: the edit left the buffer as it was', what)
  if now ~= expected then
    say('buffer after the %s:\n%s', what, now)
    say('expected:\n%s', expected)
    fail('the buffer after the %s is not the text expected', what)
  end
  say('%s applied: the buffer is the text expected', what)
end

local function run()
  local file = env('GATEHOP_NVIM_FILE')
  local fixed = read_file(env('GATEHOP_NVIM_FIXED'))
  local converted = read_file(env('GATEHOP_NVIM_CONVERTED'))
  -- The server's standard error to a file of its own, where a sanitizer's report is seen.
  local cmd = { 'sh', '-c', 'exec "$0" lsp --stdio --log "$1" 2>"$2"',
    env('GATEHOP_NVIM_BIN'), env('GATEHOP_NVIM_LOG'), env('GATEHOP_NVIM_ERR') }

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()

  local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  local client_id = vim.lsp.start_client({
    name = 'gatehop',
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ':h'),
    handlers = {
      -- Seen as sent, then handed to Neovim's own handler, which makes them vim.diagnostic's.
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published.count = published.count + 1
        published.params = result
        return default_publish(err, result, ctx, config)
      end,
    },
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  })
  check(client_id, 'vim.lsp.start_client did not start the server')
  check(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')
  local client = vim.lsp.get_client_by_id(client_id)
  local ns = vim.lsp.diagnostic.get_namespace(client_id)

  -- 1. The findings of the file as opened.
  wait_for('the first diagnostics', function()
    return published.count > 0 or exited ~= nil
  end)
  check(not exited, 'the server exited (code %s)', exited and exited.code)
  say('initialized; positions in %s', client.offset_encoding)
  local before = wait_diagnostics(bufnr, ns, vim.lsp.util.buf_versions[bufnr])
  check(#before == 3, '%d diagnostics, expected 3', #before)
  local expected = { HOP4003 = { 2, 18 }, HOP4004 = { 9, 7 }, HOP4007 = { 15, 7 } }
  for code, at in pairs(expected) do
    local d = find_code(before, code)
    check(d, 'no %s among the diagnostics', code)
    check(d.lnum + 1 == at[1] and d.col + 1 == at[2], '%s at %d:%d, expected %d:%d', code,
      d.lnum + 1, d.col + 1, at[1], at[2])
  end

  -- 2. Hover on the path's finding: its rule page.
  local path = find_code(before, 'HOP4004')
  local hover, reason = client.request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = path.lnum, character = path.col + 2 },
  }, WAIT_MS, bufnr)
  check(hover and hover.result, 'hover: no answer (%s)', tostring(reason or
    (hover and vim.inspect(hover.err))))
  local contents = hover.result.contents
  check(contents.kind == 'markdown' and contents.value:find('**HOP4004**', 1, true),
    'hover: no HOP4004 page in %s', vim.inspect(contents))
  say('hover at 9:9: %s', (contents.value:gsub('\n.*', '')))

  -- 3. The quick fix of HOP4007, asked for where it is with the diagnostics there as context
  -- (what vim.lsp.buf.code_action sends).
  local retry = find_code(before, 'HOP4007')
  local context = {}
  for _, d in ipairs(published.params.diagnostics) do
    if d.range.start.line == retry.lnum then
      table.insert(context, d)
    end
  end
  local at = { line = retry.lnum, character = retry.col }
  local quickfix
  for _, a in ipairs(code_actions(client, bufnr, at, { diagnostics = context })) do
    if a.kind == 'quickfix' and a.diagnostics and a.diagnostics[1]
        and a.diagnostics[1].code == 'HOP4007' then
      quickfix = a
    end
  end
  check(quickfix, 'no quick fix for HOP4007')
  apply(client, bufnr, quickfix, fixed, 'quick fix')
  local after = wait_diagnostics(bufnr, ns, vim.lsp.util.buf_versions[bufnr])
  check(not find_code(after, 'HOP4007'), 'HOP4007 is still there after its quick fix')
  check(#after == 2 and find_code(after, 'HOP4003') and find_code(after, 'HOP4004'),
    'after the quick fix: expected HOP4003 and HOP4004 only')

  -- 4. The source action converts the rest of the file, as `gatehop convert` does.
  local source = code_actions(client, bufnr, { line = 0, character = 0 },
    { diagnostics = {}, only = { 'source' } })
  check(#source == 1 and source[1].kind == 'source.gatehop.convert',
    'expected one source action of kind source.gatehop.convert')
  check(source[1].title == 'gatehop: convert this file to kong 3.4 (2 changes)',
    'source action title %q', source[1].title)
  apply(client, bufnr, source[1], converted, 'source action')
  check(vim.api.nvim_buf_get_lines(bufnr, 8, 9, true)[1] == '    - ~/orders/\\d+$',
    'line 9 is not the regex path with its ~')
  local last = wait_diagnostics(bufnr, ns, vim.lsp.util.buf_versions[bufnr])
  check(#last == 0, '%d diagnostics left after the conversion', #last)

  -- 5. shutdown, then exit: the server ends with 0 (an ASan build reports its leaks then).
  client.stop()
  wait_for('the server to exit', function()
    return exited ~= nil
  end)
  say('server exited: code %d, signal %d', exited.code, exited.signal)
  check(exited.code == 0 and exited.signal == 0, 'the server did not exit cleanly')
end

local ok, err = xpcall(run, function(e)
  if type(e) == 'table' and e.failure then
    return e.failure
  end
  return debug.traceback(tostring(e), 2)
end)
if ok then
  say('PASS')
  out:close()
  vim.cmd('qall!')
else
  say('FAIL: %s', err)
  out:close()
  vim.cmd('cquit 1')
end
