namespace Annlsp.Server.Tests.Infrastructure;

/// <summary>An initialised in-process server, opened per test (cheap: a few milliseconds).</summary>
public static class TestServer
{
    public static async Task<LspClient> StartAsync(ServerOptions? options = null)
    {
        var client = LspClient.StartInProcess(options ?? new ServerOptions { DiagnosticsDelay = TimeSpan.Zero });
        await client.InitializeAsync();
        return client;
    }
}
