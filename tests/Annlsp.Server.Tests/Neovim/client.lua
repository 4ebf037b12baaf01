-- A headless Neovim (0.7) LSP client for the annlsp server: opens a file, waits for diagnostics, asks for
-- completion and hover, stops the server, and writes what it saw to a JSON file the xunit test reads.
-- Inputs (environment): ANNLSP_CMD (JSON array: the server command), ANNLSP_FILE, ANNLSP_OUT,
-- ANNLSP_COMPLETION and ANNLSP_HOVER ("line:character", 0-based).
local result = { errors = {} }
local function pos(s)
  local l, c = s:match("^(%d+):(%d+)$")
  return { line = tonumber(l), character = tonumber(c) }
end
local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, os.getenv("ANNLSP_OUT"))
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  local cmd = vim.fn.json_decode(os.getenv("ANNLSP_CMD"))
  local file = os.getenv("ANNLSP_FILE")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local published = nil
  local client_id = vim.lsp.start_client({
    name = "annlsp",
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ":h"),
    handlers = {
      ["textDocument/publishDiagnostics"] = function(e, params, ctx, config)
        published = params
        vim.lsp.diagnostic.on_publish_diagnostics(e, params, ctx, config)
      end,
    },
    on_exit = function(code, signal) result.exit_code = code end,
  })
  result.started = client_id ~= nil
  vim.lsp.buf_attach_client(buf, client_id)
  result.got_diagnostics = vim.wait(30000, function() return published ~= nil end, 20)
  local client = vim.lsp.get_client_by_id(client_id)
  result.server_name = client and client.server_capabilities and "ok" or "none"
  result.capabilities = {
    completion = client.server_capabilities.completionProvider ~= nil,
    hover = client.server_capabilities.hoverProvider == true,
    incremental = client.server_capabilities.textDocumentSync and client.server_capabilities.textDocumentSync.change == 2,
  }
  result.diagnostics = published and published.diagnostics or {}
  result.nvim_diagnostics = #vim.diagnostic.get(buf)
  local uri = vim.uri_from_bufnr(buf)

  local completion = vim.lsp.buf_request_sync(buf, "textDocument/completion",
    { textDocument = { uri = uri }, position = pos(os.getenv("ANNLSP_COMPLETION")) }, 15000)
  result.completion = {}
  for _, r in pairs(completion or {}) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do table.insert(result.completion, item.label) end
  end

  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover",
    { textDocument = { uri = uri }, position = pos(os.getenv("ANNLSP_HOVER")) }, 15000)
  for _, r in pairs(hover or {}) do
    if r.result and r.result.contents then result.hover = r.result.contents.value end
  end

  -- An edit through Neovim's own incremental sync: fix the shape error by inserting `flatten`, wait for clean diagnostics.
  published = nil
  local line = tonumber(os.getenv("ANNLSP_FIX_LINE"))
  vim.api.nvim_buf_set_lines(buf, line, line, false, { "    flatten" })
  result.fixed = vim.wait(30000, function()
    if published == nil then return false end
    for _, d in ipairs(published.diagnostics) do if d.severity == 1 then return false end end
    return true
  end, 20)

  vim.lsp.stop_client(client_id)
  result.stopped = vim.wait(15000, function() return result.exit_code ~= nil end, 20)
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
